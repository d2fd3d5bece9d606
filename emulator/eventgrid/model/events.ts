/**
 * Events as the emulator keeps them after a publish was accepted, and their conversion to a subscription's delivery
 * schema (EventGrid, CloudEvents 1.0, or the publisher's own custom shape).
 */
import type { DeliverySchema } from "../config-types.js";

export interface EventGridEvent {
  id: string;
  topic: string;
  subject: string;
  eventType: string;
  eventTime: string;
  data?: unknown;
  dataVersion: string;
  metadataVersion: string;
  [extra: string]: unknown;
}

export interface CloudEvent {
  id: string;
  source: string;
  type: string;
  specversion: string;
  [attribute: string]: unknown;
}

export type StoredEvent =
  | { schema: "EventGrid"; event: EventGridEvent; original?: unknown }
  | { schema: "CloudEvent"; event: CloudEvent };

export interface AcceptedEvent {
  /** Stable across redeliveries (Service Bus MessageId, dead-letter bookkeeping). */
  internalId: string;
  /** When the topic accepted it (emulator clock, ms). */
  publishTime: number;
  stored: StoredEvent;
}

export function eventId(e: AcceptedEvent): string {
  return e.stored.event.id;
}

export function eventTypeOf(e: AcceptedEvent): string {
  return e.stored.schema === "EventGrid" ? e.stored.event.eventType : e.stored.event.type;
}

export function subjectOf(e: AcceptedEvent): string {
  const s = e.stored.event.subject;
  return typeof s === "string" ? s : "";
}

/** The event in the shape a subscription delivers. Unsupported pairs are refused when the config is loaded. */
export function toDeliverySchema(e: AcceptedEvent, schema: DeliverySchema): Record<string, unknown> {
  const stored = e.stored;
  if (stored.schema === "CloudEvent") return stored.event;
  if (schema === "CustomInputSchema" && stored.original !== undefined) return stored.original as Record<string, unknown>;
  if (schema === "CloudEventSchemaV1_0") {
    const g = stored.event;
    const ce: Record<string, unknown> = { id: g.id, source: g.topic, specversion: "1.0", type: g.eventType, subject: g.subject, time: g.eventTime };
    if (g.data !== undefined) {
      ce.data = g.data;
      ce.datacontenttype = "application/json";
    }
    if (g.dataVersion) ce.dataschema = g.dataVersion;
    return ce;
  }
  return stored.event;
}
