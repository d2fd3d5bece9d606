/**
 * Produce (0) v0-7: each partition's RecordBatch v2 batches are checked (magic, CRC-32C, codec, size) and appended
 * as received, in the socket chunks they arrived in, with only the base offset rewritten. acks=0 gets no response at
 * all, as kafkajs expects.
 *
 * v0-2 are served, as Event Hubs advertises them, because librdkafka before 2.8 compresses gzip, snappy and lz4 only
 * when the broker's Produce range includes v0; they differ only in layout (no transactional_id before v3, no
 * throttle_time_ms in v0, no log_append_time before v2). Their old message sets (magic 0 and 1) are still refused.
 */
import { Writer } from "../codec/writer.js";
import { ErrorCode, KafkaApiError, refuse } from "../errors.js";
import { splitAndValidate } from "../record-batch.js";
import { type ApiHandler, checkAccess, type RequestContext } from "./types.js";

interface PartitionResult {
  index: number;
  error: number;
  baseOffset: number;
  logStartOffset: number;
}

function appendOne(ctx: RequestContext, topic: string, index: number, records: Buffer[] | null, acks: number, transactional: boolean): PartitionResult {
  const result: PartitionResult = { index, error: ErrorCode.NONE, baseOffset: -1, logStartOffset: -1 };
  try {
    if (acks !== 0 && acks !== 1 && acks !== -1) throw new KafkaApiError(ErrorCode.INVALID_REQUIRED_ACKS, `acks must be 0, 1 or -1, got ${acks}`);
    if (transactional) throw new KafkaApiError(ErrorCode.INVALID_REQUEST, "Transactions are not supported by Event Hubs on this tier.");
    const log = ctx.broker.namespace.hub(topic)?.partition(index);
    if (!log) throw refuse.unknownTopic(topic);
    const denied = checkAccess(ctx, topic, "Send");
    if (denied) throw denied;
    const batches = splitAndValidate(records ?? [], ctx.broker.settings);
    const duplicateOf = log.producers.check(batches);
    if (duplicateOf !== undefined) {
      // A retried batch of an idempotent producer: acknowledged again with the first copy's offset, not stored twice.
      result.baseOffset = duplicateOf;
    } else {
      result.baseOffset = log.append(batches, ctx.broker.clock.now());
      log.producers.record(batches, result.baseOffset);
      const observer = ctx.broker.observers.current;
      // Only a watcher pays for joining each batch's chunks into one buffer.
      if (observer) {
        const joined = batches.map((b) => Buffer.concat(b.parts, b.length));
        observer.onAppended(log.topic, index, result.baseOffset, joined);
      }
    }
    result.logStartOffset = log.logStartOffset;
  } catch (err) {
    if (!(err instanceof KafkaApiError)) throw err;
    result.error = err.code;
    ctx.broker.logger.debug("produce refused", { topic, partition: index, code: err.code, reason: err.message });
  }
  return result;
}

export const produce: ApiHandler = {
  apiKey: 0,
  name: "Produce",
  minVersion: 0,
  maxVersion: 7,
  handle(body, ctx) {
    const v = ctx.apiVersion;
    const transactionalId = v >= 3 ? body.nullableString() : null;
    const acks = body.int16();
    body.int32(); // timeout_ms: appends are immediate
    const topics = body.array((r) => ({
      name: r.string(),
      partitions: r.array((r) => ({ index: r.int32(), records: r.nullableBytesViews() })),
    }));
    const results = topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => appendOne(ctx, t.name, p.index, p.records, acks, transactionalId !== null)),
    }));
    if (acks === 0) return null;
    const w = new Writer();
    w.array(results, (w, t) => {
      w.string(t.name);
      w.array(t.partitions, (w, p) => {
        w.int32(p.index).int16(p.error).int64(p.baseOffset);
        if (v >= 2) w.int64(-1); // log_append_time: CreateTime
        if (v >= 5) w.int64(p.logStartOffset);
      });
    });
    return v >= 1 ? w.int32(0) : w;
  },
};
