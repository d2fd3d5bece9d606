/**
 * RecordBatch v2 (magic 2): validation of the batches a producer sends, and the few reads the broker needs.
 * Batches are stored exactly as received, in the socket chunks they arrived in (no copy); only the 8-byte
 * baseOffset, which the CRC does not cover, is rewritten.
 */
import { gunzipSync } from "node:zlib";
import { createRequire } from "node:module";
import { Reader } from "./codec/reader.js";
import { ErrorCode, KafkaApiError } from "./errors.js";

export const BATCH_HEADER_BYTES = 61;
/** The magic byte sits at 16 in every message format, so an old message set is recognised before its size is judged. */
const MAGIC_END = 17;
const CRC_START = 21;
/** batchLength sits at bytes 8..11; the 12 bytes before and including it are not counted in it. */
const LENGTH_PREFIX_BYTES = 12;

export const Codec = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;

export interface BatchInfo {
  /** The batch bytes: views into the request, one per socket chunk the batch arrived in. */
  parts: Buffer[];
  length: number;
  recordCount: number;
  codec: number;
  firstTimestamp: number;
  maxTimestamp: number;
  /** -1 unless the producer is idempotent (then the id InitProducerId gave it, with its epoch and sequence). */
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
}

export interface BatchLimits {
  /** Largest batch (event or batch of events) accepted, in bytes. */
  maxBatchBytes: number;
  /** Codecs accepted; Event Hubs accepts none and gzip. */
  allowedCodecs: readonly number[];
}

/** Splits a RECORDS field (views of the chunks it arrived in) into batches and checks each one; throws KafkaApiError with the code Kafka uses. */
export function splitAndValidate(records: readonly Buffer[], limits: BatchLimits): BatchInfo[] {
  const out: BatchInfo[] = [];
  const reader = new Reader(records);
  while (reader.remaining > 0) {
    const left = reader.remaining;
    if (left < MAGIC_END) throw corrupt(`a record batch is truncated (${left} bytes, the header alone is 61)`);
    const prefix = reader.views(LENGTH_PREFIX_BYTES);
    const batchLength = headerOf(prefix, LENGTH_PREFIX_BYTES).readInt32BE(8);
    if (batchLength < MAGIC_END - LENGTH_PREFIX_BYTES || LENGTH_PREFIX_BYTES + batchLength > left) {
      throw corrupt(`record batch length ${batchLength} does not match the ${left} bytes sent`);
    }
    const parts = joinAdjacent([...prefix, ...reader.views(batchLength)]);
    out.push(validateBatch(parts, LENGTH_PREFIX_BYTES + batchLength, limits));
  }
  if (out.length === 0) throw corrupt("the produce request carries no record batch");
  return out;
}

/** The first n bytes of a batch as one buffer (a view of the first part, or a small copy when it is split). */
function headerOf(parts: readonly Buffer[], n: number): Buffer {
  return parts[0].length >= n ? parts[0] : Buffer.concat(parts, n);
}

/** Merges views that continue each other in the same chunk (a batch's prefix and body read separately). */
function joinAdjacent(parts: Buffer[]): Buffer[] {
  const out: Buffer[] = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if (last && last.buffer === p.buffer && last.byteOffset + last.length === p.byteOffset) {
      out[out.length - 1] = Buffer.from(last.buffer, last.byteOffset, last.length + p.length);
    } else out.push(p);
  }
  return out;
}

// The native CRC-32C binding loads with the first record batch, not at start (module loading is most of the CLI's
// start-up, and many runs never touch Kafka).
type Crc32c = (input: Buffer, initial?: number) => number;
let crc32cOf: Crc32c | undefined;
function crc32c(input: Buffer, initial: number): number {
  crc32cOf ??= (createRequire(import.meta.url)("@node-rs/crc32") as { crc32c: Crc32c }).crc32c;
  return crc32cOf(input, initial);
}

function crcOf(parts: readonly Buffer[], from: number): number {
  let crc = 0;
  let skip = from;
  for (const p of parts) {
    if (skip >= p.length) {
      skip -= p.length;
      continue;
    }
    crc = crc32c(skip > 0 ? p.subarray(skip) : p, crc);
    skip = 0;
  }
  return crc >>> 0;
}

function validateBatch(parts: Buffer[], length: number, limits: BatchLimits): BatchInfo {
  const magic = headerOf(parts, MAGIC_END).readInt8(16);
  if (magic !== 2) {
    throw new KafkaApiError(ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT, `The message format version on the broker does not support the request (magic ${magic}; only RecordBatch v2 is accepted).`);
  }
  if (length < BATCH_HEADER_BYTES) {
    throw corrupt(`a record batch is truncated (${length} bytes, the header alone is 61)`);
  }
  const header = headerOf(parts, BATCH_HEADER_BYTES);
  const expected = header.readUInt32BE(17);
  const actual = crcOf(parts, CRC_START);
  if (expected !== actual) throw corrupt(`record batch CRC-32C mismatch (sent ${expected}, computed ${actual})`);
  const attributes = header.readInt16BE(21);
  const codec = attributes & 0x07;
  if (!limits.allowedCodecs.includes(codec)) {
    const name = Object.entries(Codec).find(([, v]) => v === codec)?.[0] ?? `codec ${codec}`;
    throw new KafkaApiError(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, `Compression type '${name}' is not supported; Event Hubs accepts uncompressed or gzip batches.`);
  }
  if (attributes & 0x30) throw new KafkaApiError(ErrorCode.INVALID_REQUEST, "Transactional and control batches are not supported by Event Hubs.");
  if (length > limits.maxBatchBytes) {
    throw new KafkaApiError(ErrorCode.MESSAGE_TOO_LARGE, `The batch of ${length} bytes exceeds the maximum event size of ${limits.maxBatchBytes} bytes.`);
  }
  const lastOffsetDelta = header.readInt32BE(23);
  const recordCount = header.readInt32BE(57);
  if (recordCount < 1 || lastOffsetDelta !== recordCount - 1) throw corrupt(`record count ${recordCount} does not match lastOffsetDelta ${lastOffsetDelta}`);
  return {
    parts,
    length,
    recordCount,
    codec,
    firstTimestamp: Number(header.readBigInt64BE(27)),
    maxTimestamp: Number(header.readBigInt64BE(35)),
    producerId: Number(header.readBigInt64BE(43)),
    producerEpoch: header.readInt16BE(51),
    baseSequence: header.readInt32BE(53),
  };
}

function corrupt(message: string): KafkaApiError {
  return new KafkaApiError(ErrorCode.CORRUPT_MESSAGE, message);
}

/** Writes the broker-assigned base offset into a stored batch (bytes 0..7, outside the CRC), across parts if need be. */
export function setBaseOffset(parts: readonly Buffer[], baseOffset: number): void {
  if (parts[0].length >= 8) {
    parts[0].writeBigInt64BE(BigInt(baseOffset), 0);
    return;
  }
  const bytes = Buffer.allocUnsafe(8);
  bytes.writeBigInt64BE(BigInt(baseOffset), 0);
  let i = 0;
  for (const p of parts) for (let j = 0; j < p.length && i < 8; j++) p[j] = bytes[i++];
}

export function batchRecordCount(batch: Buffer): number {
  return batch.readInt32BE(57);
}

/** Offset deltas and timestamps of each record in a stored batch (decompressing gzip), for ListOffsets by time. */
export function recordTimestamps(batch: Buffer): { offsetDelta: number; timestamp: number }[] {
  const baseTimestamp = Number(batch.readBigInt64BE(27));
  const codec = batch.readInt16BE(21) & 0x07;
  const count = batch.readInt32BE(57);
  const body = codec === Codec.gzip ? gunzipSync(batch.subarray(BATCH_HEADER_BYTES)) : batch.subarray(BATCH_HEADER_BYTES);
  const out: { offsetDelta: number; timestamp: number }[] = [];
  const cursor = { pos: 0 };
  for (let i = 0; i < count && cursor.pos < body.length; i++) {
    const length = readVarint(body, cursor);
    const end = cursor.pos + length;
    cursor.pos += 1; // attributes
    const timestampDelta = readVarint(body, cursor);
    const offsetDelta = readVarint(body, cursor);
    out.push({ offsetDelta, timestamp: baseTimestamp + timestampDelta });
    cursor.pos = end;
  }
  return out;
}

/** Zig-zag base-128 varint (VARINT and VARLONG; record fields stay within 2^53). */
function readVarint(buf: Buffer, cursor: { pos: number }): number {
  let value = 0;
  let shift = 1;
  for (;;) {
    if (cursor.pos >= buf.length) throw corrupt("truncated varint in a record");
    const byte = buf[cursor.pos++];
    value += (byte & 0x7f) * shift;
    if ((byte & 0x80) === 0) break;
    shift *= 128;
    if (shift > 2 ** 63) throw corrupt("varint too long in a record");
  }
  // zig-zag decode without 32-bit bit operations
  return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
}

/** A record's headers as UTF-8 text, by offset delta (decompressing gzip), for the dashboard's flow recorder. */
export function recordHeaders(batch: Buffer): { offsetDelta: number; headers: Record<string, string> }[] {
  const codec = batch.readInt16BE(21) & 0x07;
  const count = batch.readInt32BE(57);
  const records = batch.subarray(BATCH_HEADER_BYTES);
  const body = codec === Codec.gzip ? gunzipSync(records) : records;
  const out: { offsetDelta: number; headers: Record<string, string> }[] = [];
  const cursor = { pos: 0 };
  const skipBytes = () => {
    const length = readVarint(body, cursor);
    if (length > 0) cursor.pos += length;
  };
  const text = () => {
    const length = readVarint(body, cursor);
    if (length < 0) return "";
    const value = body.toString("utf8", cursor.pos, cursor.pos + length);
    cursor.pos += length;
    return value;
  };
  for (let i = 0; i < count && cursor.pos < body.length; i++) {
    const length = readVarint(body, cursor);
    const end = cursor.pos + length;
    cursor.pos += 1; // attributes
    readVarint(body, cursor); // timestamp delta
    const offsetDelta = readVarint(body, cursor);
    skipBytes(); // key
    skipBytes(); // value
    const headers: Record<string, string> = {};
    const headerCount = readVarint(body, cursor);
    for (let h = 0; h < headerCount && cursor.pos < end; h++) {
      const key = text();
      headers[key] = text();
    }
    out.push({ offsetDelta, headers });
    cursor.pos = end;
  }
  return out;
}
