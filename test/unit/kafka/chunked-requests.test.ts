import { crc32c } from "@node-rs/crc32";
import { describe, expect, it } from "vitest";
import { MalformedRequestError, Reader } from "../../../emulator/kafka/codec/reader.js";
import { ErrorCode, KafkaApiError } from "../../../emulator/kafka/errors.js";
import { PartitionLog } from "../../../emulator/kafka/model/partition-log.js";
import { ReadBuffers } from "../../../emulator/kafka/model/read-buffers.js";
import { TmpfsSegments } from "../../../emulator/kafka/model/tmpfs-segments.js";
import { splitAndValidate } from "../../../emulator/kafka/record-batch.js";

const limits = { maxBatchBytes: 1_048_576, allowedCodecs: [0, 1] };

/** A RecordBatch v2 with `count` records of `recordBytes` bytes of filler (the broker never parses records on produce). */
function recordBatch(count: number, recordBytes: number): Buffer {
  const body = Buffer.alloc(count * recordBytes, 0x61);
  const batch = Buffer.alloc(61 + body.length);
  batch.writeBigInt64BE(0n, 0);
  batch.writeInt32BE(batch.length - 12, 8);
  batch.writeInt32BE(0, 12); // partition leader epoch
  batch.writeInt8(2, 16); // magic
  batch.writeInt16BE(0, 21); // attributes: uncompressed
  batch.writeInt32BE(count - 1, 23); // last offset delta
  batch.writeBigInt64BE(1_700_000_000_000n, 27);
  batch.writeBigInt64BE(1_700_000_000_000n, 35);
  batch.writeBigInt64BE(-1n, 43); // producer id
  batch.writeInt16BE(-1, 51);
  batch.writeInt32BE(-1, 53);
  batch.writeInt32BE(count, 57);
  body.copy(batch, 61);
  batch.writeUInt32BE(crc32c(batch.subarray(21)) >>> 0, 17);
  return batch;
}

/** Cuts bytes into chunks at the given positions, each chunk its own memory (as socket reads arrive). */
function chunked(bytes: Buffer, cuts: number[]): Buffer[] {
  const edges = [0, ...cuts, bytes.length];
  return edges.slice(1).map((end, i) => Buffer.from(bytes.subarray(edges[i], end)));
}

describe("Reader over the chunks a request arrived in", () => {
  const frame = Buffer.alloc(2 + 4 + 8 + 2 + 5 + 4 + 6);
  let at = 0;
  at = frame.writeInt16BE(-2, at);
  at = frame.writeInt32BE(123_456_789, at);
  at = frame.writeBigInt64BE(9_007_199_254_740_000n, at);
  at = frame.writeInt16BE(5, at);
  at += frame.write("hello", at);
  at = frame.writeInt32BE(6, at);
  frame.write("bytes!", at);

  it("reads every field the same wherever the chunk boundaries fall", () => {
    for (let cut = 1; cut < frame.length; cut++) {
      for (const cuts of [[cut], [1, cut].filter((c, i, a) => a.indexOf(c) === i).sort((a, b) => a - b)]) {
        const r = new Reader(chunked(frame, cuts));
        expect([r.int16(), r.int32(), r.int64(), r.string(), r.bytes().toString()]).toEqual([-2, 123_456_789, 9_007_199_254_740_000, "hello", "bytes!"]);
        expect(r.remaining).toBe(0);
      }
    }
  });

  it("hands out a large field as views of the chunks, without copying", () => {
    const chunks = chunked(frame, [10, 20]);
    const r = new Reader(chunks);
    r.int16();
    r.int32();
    r.int64();
    r.string();
    const views = r.nullableBytesViews()!;
    expect(Buffer.concat(views).toString()).toBe("bytes!");
    for (const v of views) expect(chunks.some((c) => c.buffer === v.buffer)).toBe(true);
  });

  it("refuses a read past the end of the last chunk", () => {
    const r = new Reader(chunked(frame, [3]));
    r.int16();
    r.int32();
    r.int64();
    r.string();
    r.bytes();
    expect(() => r.int8()).toThrow(MalformedRequestError);
  });
});

describe("record batches split across socket chunks", () => {
  const batch = recordBatch(3, 40);

  it("validates and stores a batch however it was cut, the base offset written across the cut", () => {
    for (const cut of [1, 4, 7, 8, 9, 12, 17, 21, 22, 57, 60, 61, 62, batch.length - 1]) {
      const chunks = chunked(Buffer.concat([batch, batch]), [cut, batch.length + cut]);
      const infos = splitAndValidate(chunks, limits);
      expect(infos.map((i) => [i.recordCount, i.length])).toEqual([
        [3, batch.length],
        [3, batch.length],
      ]);
      const log = new PartitionLog("hub", 0);
      log.append([infos[0]], 0);
      log.append([infos[1]], 0);
      const stored = Buffer.concat(log.read(0, 10_000, true, new ReadBuffers()).chunks);
      expect(stored.length).toBe(2 * batch.length);
      expect(stored.readBigInt64BE(0)).toBe(0n);
      expect(stored.readBigInt64BE(batch.length)).toBe(3n);
      expect(stored.subarray(8, batch.length)).toEqual(batch.subarray(8));
      expect(stored.subarray(batch.length + 8)).toEqual(batch.subarray(8));
    }
  });

  it("finds a corrupted byte in any chunk", () => {
    const bad = Buffer.from(batch);
    bad[bad.length - 5] ^= 1;
    const error = (() => {
      try {
        splitAndValidate(chunked(bad, [30, 70]), limits);
      } catch (err) {
        return err;
      }
    })();
    expect(error).toBeInstanceOf(KafkaApiError);
    expect((error as KafkaApiError).code).toBe(ErrorCode.CORRUPT_MESSAGE);
  });
});

describe("what a partition log keeps of a request", () => {
  const big = recordBatch(1000, 1024);
  const bigChunks = () => chunked(big, Array.from({ length: Math.floor(big.length / 65_536) }, (_, i) => (i + 1) * 65_536));

  it.skipIf(!TmpfsSegments.available())("in tmpfs: keeps the bytes, not the request's chunks, and frees them with retention", () => {
    const log = new PartitionLog("hub", 0, new TmpfsSegments("unit-test"));
    try {
      const chunks = bigChunks();
      log.append(splitAndValidate(chunks, limits), 1_000);
      log.append(splitAndValidate(bigChunks(), limits), 2_000);
      expect(log.segmentBytes).toBe(2 * big.length);
      const buffers = new ReadBuffers();
      const read = log.read(1000, 3_000_000, true, buffers);
      expect(read.bytes).toBe(big.length);
      const stored = Buffer.concat(read.chunks);
      expect(stored.readBigInt64BE(0)).toBe(1000n);
      expect(stored.subarray(8).equals(big.subarray(8))).toBe(true);
      for (const c of read.chunks) expect(chunks.some((k) => k.buffer === c.buffer)).toBe(false);
      buffers.release();
      // The next response reads into the same memory.
      const again = log.read(0, 3_000_000, true, new ReadBuffers());
      expect(again.chunks[0].buffer).toBe(read.chunks[0].buffer);
      expect(log.expireBefore(3_000)).toBe(2);
      expect(log.segmentBytes).toBe(0);
      expect(log.logStartOffset).toBe(2000);
    } finally {
      log.close();
    }
  });

  it("in the heap: keeps a large batch in the request's own chunks", () => {
    const chunks = bigChunks();
    const log = new PartitionLog("hub", 0);
    log.append(splitAndValidate(chunks, limits), 0);
    const read = log.read(0, 2_000_000, true, new ReadBuffers());
    expect(read.bytes).toBe(big.length);
    expect(read.chunks).toHaveLength(chunks.length);
    expect(read.chunks.every((c, i) => c.buffer === chunks[i].buffer)).toBe(true);
  });

  it("in the heap: copies a small batch out of a large chunk, so the chunk is not kept alive for it", () => {
    const small = recordBatch(1, 100);
    const chunk = Buffer.alloc(65_536);
    small.copy(chunk, 1000);
    const log = new PartitionLog("hub", 0);
    log.append(splitAndValidate([chunk.subarray(1000, 1000 + small.length)], limits), 0);
    const read = log.read(0, 10_000, true, new ReadBuffers());
    expect(read.chunks).toHaveLength(1);
    expect(read.chunks[0].buffer).not.toBe(chunk.buffer);
    expect(read.chunks[0].subarray(8)).toEqual(small.subarray(8));
  });
});
