/** What the dispatcher needs from a destination: deliver a batch, and, for webhooks, the endpoint handshake. */
import type { BatchSettings } from "../config-types.js";
import type { AcceptedEvent } from "../model/events.js";
import type { DeliveryOutcome, EndpointKind } from "./retry-policy.js";

export interface OutgoingEvent {
  accepted: AcceptedEvent;
  /** The event in the subscription's delivery schema, and its JSON text. */
  body: Record<string, unknown>;
  json: string;
  bytes: number;
}

export type DeliveryResult =
  | { ok: true; status?: number }
  | { ok: false; status?: number; outcome: DeliveryOutcome; retriable: boolean; error: string };

/** `Unreachable`: no connection at all (refused, unknown host), as opposed to an endpoint that answered "no". */
export type ValidationResult =
  | { state: "Succeeded" }
  | { state: "AwaitingManualAction"; code: string }
  | { state: "Failed"; error: string }
  | { state: "Unreachable"; error: string };

export interface ValidationRequest {
  code: string;
  validationUrl: string;
}

export interface Destination {
  readonly kind: EndpointKind;
  /** For the state endpoint, e.g. "WebHook http://localhost:7071/api/updates". */
  readonly description: string;
  readonly batch: BatchSettings;
  /** Present when the destination needs a handshake before the first delivery. */
  validate?(request: ValidationRequest): Promise<ValidationResult>;
  /** `deliveryCount` is the number of attempts already made for these events (0 on the first). */
  deliver(events: OutgoingEvent[], deliveryCount: number): Promise<DeliveryResult>;
}
