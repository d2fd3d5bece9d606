/**
 * Azure's delivery retry rules: which answers count as success, which are not retried (per destination kind),
 * the minimum wait some statuses impose, the retry schedule, and the `lastDeliveryOutcome` names.
 */
export type DeliveryOutcome =
  | "NotFound"
  | "Disabled"
  | "Full"
  | "Unauthorized"
  | "BadRequest"
  | "TimedOut"
  | "Busy"
  | "PayloadTooLarge"
  | "Probation"
  | "Canceled"
  | "Aborted"
  | "SocketError"
  | "ResolutionError"
  | "Delivering"
  | "SessionQueueNotSupported"
  | "Forbidden"
  | "InvalidAzureFunctionDestination"
  | "GenericError";

/** WebHook endpoints, or Azure resources (Functions, Service Bus), whose non-retried statuses differ. */
export type EndpointKind = "webhook" | "azure-resource";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Wait after the n-th failed attempt (index n-1): 10 s, 30 s, 1 min, 5 min, 10 min, 30 min, 1 h, 3 h, 6 h, then 12 h. */
export const RETRY_SCHEDULE_MS = [10 * SECOND, 30 * SECOND, MINUTE, 5 * MINUTE, 10 * MINUTE, 30 * MINUTE, HOUR, 3 * HOUR, 6 * HOUR];
const LATER_RETRY_MS = 12 * HOUR;

export const DELIVERY_TIMEOUT_MS = 30 * SECOND;

export function isSuccessStatus(status: number): boolean {
  return status >= 200 && status <= 204;
}

export function isRetriableStatus(status: number, kind: EndpointKind): boolean {
  const notRetried = kind === "webhook" ? [400, 401, 403, 413] : [400, 403, 413];
  return !notRetried.includes(status);
}

/** Minimum wait Azure applies after some statuses before the next attempt. */
export function minimumWaitMs(status: number | undefined, kind: EndpointKind): number {
  if (status === 503) return 30 * SECOND;
  if (status === 408) return 2 * MINUTE;
  if (kind === "azure-resource" && (status === 401 || status === 404)) return 5 * MINUTE;
  return 0;
}

export function retryDelayMs(failedAttempts: number, status: number | undefined, kind: EndpointKind): number {
  const scheduled = RETRY_SCHEDULE_MS[failedAttempts - 1] ?? LATER_RETRY_MS;
  return Math.max(scheduled, minimumWaitMs(status, kind));
}

export function outcomeForStatus(status: number): DeliveryOutcome {
  switch (status) {
    case 400:
      return "BadRequest";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 408:
      return "TimedOut";
    case 413:
      return "PayloadTooLarge";
    case 429:
    case 503:
      return "Busy";
    default:
      return "GenericError";
  }
}

/** Outcome of a request that got no HTTP answer. */
export function outcomeForNetworkError(err: unknown): DeliveryOutcome {
  const code = (err as { code?: string })?.code;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "ResolutionError";
  if (code === "ETIMEDOUT" || code === "TimedOut") return "TimedOut";
  return "SocketError";
}
