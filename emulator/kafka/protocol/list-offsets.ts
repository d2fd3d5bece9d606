/** ListOffsets (2) v1-3: -1 is the latest (high watermark), -2 the earliest (log start), else the first record at or after a timestamp. */
import { Writer } from "../codec/writer.js";
import { ErrorCode, KafkaApiError, refuse } from "../errors.js";
import { type ApiHandler, checkAccess, type RequestContext } from "./types.js";

const LATEST = -1;
const EARLIEST = -2;

function lookup(ctx: RequestContext, topic: string, partition: number, timestamp: number): { error: number; timestamp: number; offset: number } {
  try {
    const log = ctx.broker.namespace.hub(topic)?.partition(partition);
    if (!log) throw refuse.unknownTopic(topic);
    const denied = checkAccess(ctx, topic, "Listen");
    if (denied) throw denied;
    if (timestamp === LATEST) return { error: ErrorCode.NONE, timestamp: -1, offset: log.highWatermark };
    if (timestamp === EARLIEST) return { error: ErrorCode.NONE, timestamp: -1, offset: log.logStartOffset };
    const found = log.offsetForTimestamp(timestamp);
    return { error: ErrorCode.NONE, timestamp: found?.timestamp ?? -1, offset: found?.offset ?? -1 };
  } catch (err) {
    if (!(err instanceof KafkaApiError)) throw err;
    return { error: err.code, timestamp: -1, offset: -1 };
  }
}

export const listOffsets: ApiHandler = {
  apiKey: 2,
  name: "ListOffsets",
  minVersion: 1,
  maxVersion: 3,
  handle(body, ctx) {
    const v = ctx.apiVersion;
    body.int32(); // replica_id
    if (v >= 2) body.int8(); // isolation_level: no transactions, so committed == uncommitted
    const topics = body.array((r) => ({ name: r.string(), partitions: r.array((r) => ({ partition: r.int32(), timestamp: r.int64() })) }));
    ctx.broker.expire();
    const w = new Writer();
    if (v >= 2) w.int32(0);
    w.array(topics, (w, t) => {
      w.string(t.name);
      w.array(t.partitions, (w, p) => {
        const r = lookup(ctx, t.name, p.partition, p.timestamp);
        w.int32(p.partition).int16(r.error).int64(r.timestamp).int64(r.offset);
      });
    });
    return w;
  },
};
