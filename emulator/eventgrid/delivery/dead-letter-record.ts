/**
 * What Azure writes for a dead-lettered event: the event plus `deadLetterReason`, `deliveryAttempts`,
 * `lastDeliveryOutcome`, `lastHttpStatusCode`, `publishTime` and `lastDeliveryAttemptTime` (lower-cased and merged into
 * the event for CloudEvents), in blobs named `<SUBSCRIPTION>/<yyyy>/<M>/<d>/<H>/<guid>.json` (UTC, no zero padding).
 */
import { randomUUID } from "node:crypto";
import type { DeliverySchema } from "../config-types.js";
import type { OutgoingEvent } from "./destination.js";
import type { DeliveryOutcome } from "./retry-policy.js";

export type DeadLetterReason = "MaxDeliveryAttemptsExceeded" | "TimeToLiveExceeded";

export interface DeadLetterInfo {
  reason: DeadLetterReason;
  deliveryAttempts: number;
  lastDeliveryOutcome: DeliveryOutcome;
  lastHttpStatusCode?: number;
  lastDeliveryAttemptTime?: number;
}

export function deadLetterRecord(event: OutgoingEvent, schema: DeliverySchema, info: DeadLetterInfo): Record<string, unknown> {
  const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
  const fields = {
    deadLetterReason: info.reason,
    deliveryAttempts: info.deliveryAttempts,
    lastDeliveryOutcome: info.lastDeliveryOutcome,
    ...(info.lastHttpStatusCode !== undefined ? { lastHttpStatusCode: info.lastHttpStatusCode } : {}),
    publishTime: iso(event.accepted.publishTime),
    ...(info.lastDeliveryAttemptTime !== undefined ? { lastDeliveryAttemptTime: iso(info.lastDeliveryAttemptTime) } : {}),
  };
  if (schema === "CloudEventSchemaV1_0") {
    const lower = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k.toLowerCase(), v]));
    return { ...event.body, ...lower };
  }
  // EventGrid (and custom, which dead-letters in its EventGrid mapping): the fields go before `data`, as Azure's samples.
  const { data, ...rest } = event.accepted.stored.event as Record<string, unknown>;
  return { ...rest, ...fields, ...(data !== undefined ? { data } : {}) };
}

export function deadLetterBlobName(subscriptionName: string, at: number): string {
  const d = new Date(at);
  return `${subscriptionName.toUpperCase()}/${d.getUTCFullYear()}/${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCHours()}/${randomUUID()}.json`;
}
