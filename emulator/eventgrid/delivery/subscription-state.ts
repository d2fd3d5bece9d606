/** The per-subscription delivery state the HTTP port lists as JSON. */
import type { DeliveryOutcome } from "./retry-policy.js";

export interface SubscriptionState {
  name: string;
  topic: string;
  destination: string;
  endpointType: string;
  eventDeliverySchema: string;
  /** Succeeded once the endpoint passed its handshake (or needs none). */
  provisioningState: "Creating" | "AwaitingManualAction" | "Succeeded" | "Failed";
  validationError?: string;
  counts: { matched: number; delivered: number; queued: number; inFlight: number; retrying: number; deadLettered: number; dropped: number };
  retrying: {
    eventIds: string[];
    deliveryAttempts: number;
    nextAttemptTime?: string;
    lastDeliveryOutcome?: DeliveryOutcome;
    lastHttpStatusCode?: number;
    lastError?: string;
  }[];
  recentlyDelivered: string[];
  deadLettered: {
    eventId: string;
    reason: string;
    deliveryAttempts: number;
    lastDeliveryOutcome: DeliveryOutcome;
    lastHttpStatusCode?: number;
    location: string;
    blobName: string;
    written: boolean;
    writeError?: string;
  }[];
  dropped: { eventId: string; reason: string; deliveryAttempts: number; lastDeliveryOutcome: DeliveryOutcome; lastHttpStatusCode?: number }[];
}
