/**
 * Fetch (1) v4-6: whole stored batches from the one holding the fetch offset, within the partition and response
 * limits (the first batch always goes out, KIP-74). Below min_bytes the request waits (long poll) until a requested
 * partition gets data or max_wait_ms passes on the emulator clock. No fetch sessions: Event Hubs stops at v6.
 */
import { Writer } from "../codec/writer.js";
import { ErrorCode, KafkaApiError, refuse } from "../errors.js";
import type { PartitionLog } from "../model/partition-log.js";
import { ReadBuffers } from "../model/read-buffers.js";
import { type ApiHandler, checkAccess, type RequestContext } from "./types.js";

interface PartitionRequest {
  partition: number;
  fetchOffset: number;
  maxBytes: number;
}

interface TopicRequest {
  topic: string;
  partitions: PartitionRequest[];
}

interface PartitionAnswer {
  partition: number;
  error: number;
  highWatermark: number;
  logStartOffset: number;
  chunks: Buffer[];
}

interface Collected {
  topics: { topic: string; partitions: PartitionAnswer[] }[];
  bytes: number;
  hasError: boolean;
}

function resolveLog(ctx: RequestContext, topic: string, partition: number): PartitionLog {
  const log = ctx.broker.namespace.hub(topic)?.partition(partition);
  if (!log) throw refuse.unknownTopic(topic);
  const denied = checkAccess(ctx, topic, "Listen");
  if (denied) throw denied;
  return log;
}

function collect(ctx: RequestContext, request: TopicRequest[], maxBytes: number, buffers: ReadBuffers): Collected {
  let bytes = 0;
  let hasError = false;
  const topics = request.map((t) => ({
    topic: t.topic,
    partitions: t.partitions.map((p): PartitionAnswer => {
      const answer: PartitionAnswer = { partition: p.partition, error: ErrorCode.NONE, highWatermark: -1, logStartOffset: -1, chunks: [] };
      try {
        const log = resolveLog(ctx, t.topic, p.partition);
        answer.highWatermark = log.highWatermark;
        answer.logStartOffset = log.logStartOffset;
        if (p.fetchOffset < log.logStartOffset || p.fetchOffset > log.highWatermark) {
          throw new KafkaApiError(ErrorCode.OFFSET_OUT_OF_RANGE, `offset ${p.fetchOffset} is outside [${log.logStartOffset}, ${log.highWatermark}]`);
        }
        const room = Math.min(p.maxBytes, maxBytes - bytes);
        const minOne = bytes === 0;
        if (room > 0 || minOne) {
          const read = log.read(p.fetchOffset, Math.max(room, 0), minOne, buffers);
          answer.chunks = read.chunks;
          bytes += read.bytes;
        }
      } catch (err) {
        if (!(err instanceof KafkaApiError)) throw err;
        answer.error = err.code;
        hasError = true;
      }
      return answer;
    }),
  }));
  return { topics, bytes, hasError };
}

/** Resolves when any of the logs gets data, `maxWaitMs` passes on the emulator clock, or the connection closes. */
function waitForData(ctx: RequestContext, request: TopicRequest[], maxWaitMs: number): Promise<void> {
  return new Promise((resolve) => {
    const cleanups: (() => void)[] = [];
    const done = () => {
      for (const c of cleanups) c();
      resolve();
    };
    for (const t of request) {
      for (const p of t.partitions) {
        const log = ctx.broker.namespace.hub(t.topic)?.partition(p.partition);
        if (log) cleanups.push(log.onAppend(done));
      }
    }
    const timer = ctx.broker.clock.setTimer(maxWaitMs, done);
    cleanups.push(() => timer.cancel());
    cleanups.push(ctx.conn.onClose(done));
  });
}

export const fetch: ApiHandler = {
  apiKey: 1,
  name: "Fetch",
  minVersion: 4,
  maxVersion: 6,
  async handle(body, ctx) {
    const v = ctx.apiVersion;
    body.int32(); // replica_id
    const maxWaitMs = body.int32();
    const minBytes = body.int32();
    const maxBytes = body.int32();
    body.int8(); // isolation_level: no transactions, so both levels read the same
    const request: TopicRequest[] = body.array((r) => ({
      topic: r.string(),
      partitions: r.array((r) => {
        const partition = r.int32();
        const fetchOffset = r.int64();
        if (v >= 5) r.int64(); // log_start_offset (followers only)
        return { partition, fetchOffset, maxBytes: r.int32() };
      }),
    }));

    ctx.broker.expire();
    // Batches kept in tmpfs are read into pooled buffers, given back once the response is on its way.
    const buffers = new ReadBuffers();
    ctx.conn.afterResponse(() => buffers.release());
    let result = collect(ctx, request, maxBytes, buffers);
    if (!result.hasError && result.bytes < minBytes && maxWaitMs > 0 && !ctx.conn.closed) {
      await waitForData(ctx, request, maxWaitMs);
      buffers.release();
      ctx.broker.expire();
      result = collect(ctx, request, maxBytes, buffers);
    }

    const w = new Writer().int32(0);
    w.array(result.topics, (w, t) => {
      w.string(t.topic);
      w.array(t.partitions, (w, p) => {
        w.int32(p.partition).int16(p.error).int64(p.highWatermark).int64(p.highWatermark);
        if (v >= 5) w.int64(p.logStartOffset);
        w.array([], () => undefined); // aborted_transactions
        w.bytesFromChunks(p.chunks);
      });
    });
    return w;
  },
};
