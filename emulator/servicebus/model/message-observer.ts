/**
 * What the Service Bus model tells an observer (the dashboard's flow recorder) about each message it handles: sent,
 * scheduled, enqueued, delivered, settled (completed, abandoned, deferred, dead-lettered), expired. The model calls
 * it synchronously at the moment the hop happens, so the order of hops is the model's own order.
 *
 * Cheap when nobody listens: each store asks one getter, and builds no event object unless an observer is set.
 * The observer gets the payload's fields (not a decoded message): it reads only the ids it needs.
 */
import type { MessageFields } from "./message-payload.js";

export type MessageHopKind =
  | "sent"
  | "scheduled"
  | "enqueued"
  | "delivered"
  | "received"
  | "completed"
  | "abandoned"
  | "deferred"
  | "dead-lettered"
  | "lock-expired"
  | "expired";

export interface MessageHop {
  kind: MessageHopKind;
  /** Entity path, e.g. `q1`, `t1`, `t1/Subscriptions/s1`. */
  entity: string;
  sequenceNumber: number;
  payload: MessageFields;
  /** Deliveries so far (delivered, abandoned, lock-expired). */
  deliveryCount?: number;
  /** Dead-letter reason and description; the time a scheduled message is due (ISO). */
  reason?: string;
  description?: string;
}

export interface MessageObserver {
  onMessage(hop: MessageHop): void;
}

/** The namespace's observer slot: set and cleared by whoever watches (one at a time). */
export class MessageObservers {
  current: MessageObserver | undefined;
}
