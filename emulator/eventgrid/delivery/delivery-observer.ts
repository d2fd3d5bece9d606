/**
 * What Event Grid tells an observer (the dashboard's flow recorder) about each event: published to a topic, then per
 * subscription delivered, retrying (with the next attempt's time), dead-lettered or dropped (with the reason).
 * Called synchronously where the model decides; cheap when nobody listens (one slot read, nothing built).
 */
import type { AcceptedEvent } from "../model/events.js";

export type DeliveryHopKind = "published" | "delivered" | "retrying" | "dead-lettered" | "dropped";

export interface DeliveryHop {
  kind: DeliveryHopKind;
  topic: string;
  /** The event subscription (absent for `published`). */
  subscription?: string;
  events: readonly AcceptedEvent[];
  /** Attempts so far (delivered, retrying, dead-lettered). */
  attempts?: number;
  /** `retrying`: when the next attempt is due (emulator clock, ms). */
  nextAttemptAt?: number;
  /** Why it failed or was given up (outcome, HTTP status, dead-letter reason). */
  reason?: string;
}

export interface DeliveryObserver {
  onDelivery(hop: DeliveryHop): void;
}

/** The service's observer slot, shared by its topics and dispatchers. */
export class DeliveryObservers {
  current: DeliveryObserver | undefined;
}
