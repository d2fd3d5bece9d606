/** The per-subscription delivery state the HTTP port lists as JSON. */
import type { DeliveryOutcome } from "./retry-policy.js";

export interface SubscriptionState {
  name: string;
  topic: string;
  destination: string;
  endpointType: string;
  eventDeliverySchema: string;
  /**
   * Succeeded once the endpoint passed its handshake (or needs none); Failed for good when it refused (Azure then
   * does not create the subscription); Creating while validating, or while the endpoint is not listening yet.
   */
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
  /** Events given up on; `SubscriptionValidationFailed` ones never had a delivery attempt (so no outcome). */
  dropped: {
    eventId: string;
    reason: string;
    deliveryAttempts: number;
    lastDeliveryOutcome?: DeliveryOutcome;
    lastHttpStatusCode?: number;
  }[];
}
