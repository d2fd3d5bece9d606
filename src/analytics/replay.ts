/**
 * Replay of the stream into a fresh read model: a new consumer group (so the live group's offsets are untouched)
 * reads `festival-events` from the beginning into a new table, until it reaches the end of every partition as it
 * was when the replay started; then its minutes are compared with the live read model's. A replay that agrees
 * shows the live read model counted every event once; one that does not lists the minutes that differ.
 *
 * The fresh table is kept (it may replace the live one); `dropAfter` removes it once compared.
 */
import type { Kafka } from "kafkajs";
import type { RowStore } from "../projections/row-store.js";
import { AnalyticsConsumer, type AnalyticsStats } from "./analytics-consumer.js";
import { compareReadModels, type SalesComparison } from "./compare-sales.js";
import { SalesPerMinuteWriter } from "./sales-per-minute-writer.js";

export interface ReplayOptions {
  kafka: Kafka;
  live: RowStore;
  /** The fresh table (for example `salesperminute` + a timestamp). */
  replay: RowStore;
  /** A fresh group id, never used before. */
  groupId: string;
  topic?: string;
  timeoutMs?: number;
  dropAfter?: boolean;
}

export interface ReplayResult {
  groupId: string;
  table: string;
  stats: AnalyticsStats;
  elapsedMs: number;
  comparison: SalesComparison;
}

/** A name for a replay's table and group: letters and digits, as table names require. */
export function replaySuffix(now = new Date()): string {
  return now.toISOString().replace(/\D/g, "").slice(0, 17);
}

export async function replaySales(options: ReplayOptions): Promise<ReplayResult> {
  const started = Date.now();
  const consumer = new AnalyticsConsumer({ kafka: options.kafka, writer: new SalesPerMinuteWriter(options.replay), groupId: options.groupId, startPosition: "earliest", ...(options.topic ? { topic: options.topic } : {}) });
  try {
    await consumer.start();
    await consumer.waitUntilCaughtUp(options.timeoutMs ?? 600_000);
  } finally {
    await consumer.stop();
  }
  const elapsedMs = Date.now() - started;
  const comparison = await compareReadModels(options.live, options.replay);
  if (options.dropAfter) await options.replay.drop();
  return { groupId: options.groupId, table: options.replay.name, stats: { ...consumer.stats }, elapsedMs, comparison };
}
