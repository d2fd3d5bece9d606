/**
 * The analytics consumer's work when it runs as a Functions `kafkaTrigger` (cardinality many, dataType string): the
 * Kafka extension hands each record over as its KafkaEventData in JSON, `{Offset, Partition, Topic, Timestamp, Key,
 * Value, Headers}`, with the CloudEvent as Value. The extension commits the batch's offsets whatever the function
 * does, so an unreadable record is logged and passed over here rather than thrown (a throw would only skip the
 * rest of the batch); a failed write does throw, for the function's retry policy to run the batch again.
 */
import { salesEventOf } from "./sales-events.js";
import type { SalesEvent } from "./sales-per-minute.js";
import type { ApplyStats, SalesPerMinuteWriter } from "./sales-per-minute-writer.js";

export interface TriggerBatchResult extends ApplyStats {
  records: number;
  invalid: { position: string; error: string }[];
}

interface KafkaEventData {
  Offset?: number;
  Partition?: number;
  Value?: unknown;
}

function eventData(record: unknown): KafkaEventData {
  if (typeof record === "string") return JSON.parse(record) as KafkaEventData;
  if (typeof record === "object" && record !== null) return record as KafkaEventData;
  throw new Error("not a Kafka event");
}

export async function applyTriggerBatch(records: readonly unknown[], writer: SalesPerMinuteWriter): Promise<TriggerBatchResult> {
  const events: SalesEvent[] = [];
  const invalid: TriggerBatchResult["invalid"] = [];
  let passedOver = 0;
  records.forEach((record, i) => {
    let position = `#${i}`;
    try {
      const data = eventData(record);
      if (data.Partition !== undefined) position = `${data.Partition}@${data.Offset}`;
      const value = data.Value;
      const e = salesEventOf(typeof value === "string" || (typeof value === "object" && value !== null) ? value : null);
      if (e) events.push(e);
      else passedOver++;
    } catch (err) {
      invalid.push({ position, error: (err as Error).message });
    }
  });
  const stats = await writer.apply(events);
  return { ...stats, ignored: stats.ignored + passedOver, records: records.length, invalid };
}
