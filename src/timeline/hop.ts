/**
 * A hop: one step of one message on its way through the system, as GET /api/purchases/{id}/timeline lists them.
 *   requested   an HTTP request sent the message (a command);
 *   recorded    an event was committed to a stream (the event store);
 *   published   the message was handed to Service Bus, Kafka or Event Grid (by the relay, the sweeper or the API);
 *   delivered   a consumer got it (with Service Bus' delivery count);
 *   handled / duplicate / failed   what that consumer made of it (duplicate: its inbox already had it);
 *   deferred    the consumer sent it again for later (IssueTickets meeting the provider's open circuit);
 *   circuit     the ticketing provider's circuit breaker changed state while this message was being handled.
 * Every hop names the message (id, type, causation id), its correlation id, the trace and span it belongs to, who
 * (a function, a consumer, an HTTP route) and when.
 */
import { type CloudEvent } from "../events/envelope.js";
import { messageNameOf } from "../events/catalog.js";

export const hopKinds = [
  "requested",
  "recorded",
  "published",
  "delivered",
  "handled",
  "duplicate",
  "failed",
  "deferred",
  "circuit",
] as const;
export type HopKind = (typeof hopKinds)[number];
export type MessagingSystem = "servicebus" | "kafka" | "eventgrid";

export interface Hop {
  kind: HopKind;
  /** ISO 8601, ms precision. */
  at: string;
  messageId: string;
  /** The CloudEvents type, e.g. MusicFest.Purchases.PurchasePlaced.v2. */
  type: string;
  /** The catalog name, e.g. PurchasePlaced (absent for a type the catalog does not know). */
  name?: string;
  purchaseId?: string;
  correlationId?: string;
  causationId?: string;
  traceId?: string;
  spanId?: string;
  /** Who: the function or consumer (handlers, publishers), or the HTTP route. */
  by?: string;
  system?: MessagingSystem;
  /** Topic (Service Bus), event hub (Kafka), topic (Event Grid); for delivered, topic/subscription. */
  destination?: string;
  /** The outbox channel (events, commands). */
  channel?: string;
  deliveryCount?: number;
  streamId?: string;
  version?: number;
  /** Why it failed, or a note (e.g. "no change"). */
  detail?: string;
  /** The ticketing provider's circuit state (circuit: the new state; deferred: open). */
  circuit?: "closed" | "open" | "half-open";
  /** When a deferred message is due again (ISO 8601). */
  retryAt?: string;
  /** Order of hops recorded in one process (same millisecond included); with `process`, unique. */
  seq?: number;
  process?: string;
}

/** What a hop says about its message, from a CloudEvent (or anything shaped like one). */
export interface MessageFacts {
  messageId: string;
  type: string;
  name?: string;
  purchaseId?: string;
  correlationId?: string;
  causationId?: string;
  traceparent?: string;
}

const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);

/** The facts of a message body; undefined when it is not a CloudEvent (no id or type). */
export function factsOf(body: unknown): MessageFacts | undefined {
  let value = body;
  if (typeof value === "string" || value instanceof Uint8Array) {
    try {
      value = JSON.parse(typeof value === "string" ? value : Buffer.from(value).toString("utf8"));
    } catch {
      return undefined;
    }
  }
  if (!value || typeof value !== "object") return undefined;
  const e = value as Partial<CloudEvent> & Record<string, unknown>;
  const messageId = str(e.id);
  const type = str(e.type);
  if (!messageId || !type) return undefined;
  const data = e.data as Record<string, unknown> | undefined;
  const purchaseId = str(data?.purchaseId);
  const facts: MessageFacts = { messageId, type };
  const name = messageNameOf(type);
  if (name) facts.name = name;
  if (purchaseId) facts.purchaseId = purchaseId;
  if (str(e.correlationid)) facts.correlationId = e.correlationid;
  if (str(e.causationid)) facts.causationId = e.causationid;
  if (str(e.traceparent)) facts.traceparent = e.traceparent;
  return facts;
}

/** A hop of `facts`' message, with the message's fields filled in. */
export function hopOf(facts: MessageFacts, kind: HopKind, at: Date, fields: Partial<Omit<Hop, "kind" | "at">> = {}): Hop {
  const { traceparent: _traceparent, ...message } = facts;
  return { kind, at: at.toISOString(), ...message, ...fields };
}

/** Table keys may not hold / \ # ? or control characters. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what Table Storage refuses in keys
const unsafeKeyCharacters = /[/\\#?\u0000-\u001f\u007f-\u009f]/g;

/** The timeline partition of a purchase's hops (hops of messages about no purchase go under their correlation id). */
export function purchasePartition(purchaseId: string): string {
  return `purchase:${purchaseId.replace(unsafeKeyCharacters, "_")}`;
}

export function partitionOf(hop: Pick<Hop, "purchaseId" | "correlationId">): string | undefined {
  if (hop.purchaseId) return purchasePartition(hop.purchaseId);
  if (hop.correlationId) return `correlation:${hop.correlationId.replace(unsafeKeyCharacters, "_")}`;
  return undefined;
}

/** Time-ordered and unique: the hop's time in ms, its sequence number in its process, the process. */
export function rowKeyOf(hop: Pick<Hop, "at" | "seq" | "process">): string {
  return `${String(Date.parse(hop.at)).padStart(15, "0")}-${String(hop.seq ?? 0).padStart(12, "0")}-${hop.process ?? "-"}`;
}
