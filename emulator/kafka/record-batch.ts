/**
 * RecordBatch v2 (magic 2): validation of the batches a producer sends, and the few reads the broker needs.
 * Batches are stored exactly as received; only the 8-byte baseOffset, which the CRC does not cover, is rewritten.
 */
import { gunzipSync } from "node:zlib";
import { crc32c } from "@node-rs/crc32";
import { ErrorCode, KafkaApiError } from "./errors.js";

export const BATCH_HEADER_BYTES = 61;
const CRC_START = 21;

export const Codec = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;

export interface BatchInfo {
  /** The batch bytes (a view into the request; copy before storing). */
  bytes: Buffer;
  recordCount: number;
  codec: number;
  firstTimestamp: number;
  maxTimestamp: number;
}

export interface BatchLimits {
  /** Largest batch (event or batch of events) accepted, in bytes. */
  maxBatchBytes: number;
  /** Codecs accepted; Event Hubs accepts none and gzip. */
  allowedCodecs: readonly number[];
}

/** Splits a RECORDS field into batches and checks each one; throws KafkaApiError with the code Kafka uses. */
export function splitAndValidate(records: Buffer, limits: BatchLimits): BatchInfo[] {
  const out: BatchInfo[] = [];
  let pos = 0;
  while (pos < records.length) {
    if (records.length - pos < BATCH_HEADER_BYTES) throw corrupt(`a record batch is truncated (${records.length - pos} bytes, the header alone is 61)`);
    const batchLength = records.readInt32BE(pos + 8);
    const total = 12 + batchLength;
    if (batchLength < BATCH_HEADER_BYTES - 12 || pos + total > records.length) throw corrupt(`record batch length ${batchLength} does not match the ${records.length - pos} bytes sent`);
    const bytes = records.subarray(pos, pos + total);
    out.push(validateBatch(bytes, limits));
    pos += total;
  }
  if (out.length === 0) throw corrupt("the produce request carries no record batch");
  return out;
}

function validateBatch(bytes: Buffer, limits: BatchLimits): BatchInfo {
  const magic = bytes.readInt8(16);
  if (magic !== 2) {
    throw new KafkaApiError(ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT, `The message format version on the broker does not support the request (magic ${magic}; only RecordBatch v2 is accepted).`);
  }
  const expected = bytes.readUInt32BE(17);
  const actual = crc32c(bytes.subarray(CRC_START)) >>> 0;
  if (expected !== actual) throw corrupt(`record batch CRC-32C mismatch (sent ${expected}, computed ${actual})`);
  const attributes = bytes.readInt16BE(21);
  const codec = attributes & 0x07;
  if (!limits.allowedCodecs.includes(codec)) {
    const name = Object.entries(Codec).find(([, v]) => v === codec)?.[0] ?? `codec ${codec}`;
    throw new KafkaApiError(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, `Compression type '${name}' is not supported; Event Hubs accepts uncompressed or gzip batches.`);
  }
  if (attributes & 0x30) throw new KafkaApiError(ErrorCode.INVALID_REQUEST, "Transactional and control batches are not supported by Event Hubs.");
  if (bytes.length > limits.maxBatchBytes) {
    throw new KafkaApiError(ErrorCode.MESSAGE_TOO_LARGE, `The batch of ${bytes.length} bytes exceeds the maximum event size of ${limits.maxBatchBytes} bytes.`);
  }
  const lastOffsetDelta = bytes.readInt32BE(23);
  const recordCount = bytes.readInt32BE(57);
  if (recordCount < 1 || lastOffsetDelta !== recordCount - 1) throw corrupt(`record count ${recordCount} does not match lastOffsetDelta ${lastOffsetDelta}`);
  return {
    bytes,
    recordCount,
    codec,
    firstTimestamp: Number(bytes.readBigInt64BE(27)),
    maxTimestamp: Number(bytes.readBigInt64BE(35)),
  };
}

function corrupt(message: string): KafkaApiError {
  return new KafkaApiError(ErrorCode.CORRUPT_MESSAGE, message);
}

/** Writes the broker-assigned base offset into a stored batch (bytes 0..7, outside the CRC). */
export function setBaseOffset(batch: Buffer, baseOffset: number): void {
  batch.writeBigInt64BE(BigInt(baseOffset), 0);
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
