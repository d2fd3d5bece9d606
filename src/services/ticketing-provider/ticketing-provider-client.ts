/**
 * The client of the third-party ticketing provider. Each call is bounded by a timeout; a 5xx, 408, 429, a timeout or
 * a network error is retried with exponential backoff and jitter, a bounded number of times, after which it throws
 * TicketingProviderUnavailableError: the command handler lets that escape so Service Bus redelivers the command
 * later (and dead-letters it after MaxDeliveryCount). A provider's Retry-After (seconds) lengthens the wait, up to
 * the backoff's maximum. A 409 is the provider's definite "no tickets" answer.
 * With a `circuit` (provider-circuit-breaker.ts) every attempt goes through the breaker and its timeout; while the
 * circuit is open the call throws CircuitOpenError at once, without reaching the provider.
 */
import { isRetryableStatus, RetryingHttpClient, type RetryingHttpClientOptions, retryAfterMs, type Verdict } from "../http/retrying-http-client.js";
import type { ProviderCircuitBreaker } from "./provider-circuit-breaker.js";
import type { IssuedTickets, TicketRequest } from "./simulated-ticketing-provider.js";

export type IssueOutcome = { kind: "issued"; reference: string; ticketIds: string[] } | { kind: "unavailable"; detail: string };

export interface TicketingProviderClientOptions extends RetryingHttpClientOptions {
  /** The provider's base URL; requests go to `${baseUrl}/tickets`. */
  baseUrl: string;
  /** The breaker (with its attempt timeout) every attempt goes through; its timeout replaces `timeoutMs`. */
  circuit?: ProviderCircuitBreaker;
}

/** The provider could not be reached or kept failing; retrying later may succeed. */
export class TicketingProviderUnavailableError extends Error {
  constructor(
    message: string,
    readonly attempts: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "TicketingProviderUnavailableError";
  }
}

/** The provider refused the request itself (4xx other than 408/409/429): retrying the same request cannot help. */
export class TicketingProviderRejectedError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "TicketingProviderRejectedError";
  }
}

export class TicketingProviderClient {
  private readonly url: string;
  private readonly http: RetryingHttpClient;

  constructor(options: TicketingProviderClientOptions) {
    this.url = `${options.baseUrl.replace(/\/+$/, "")}/tickets`;
    const { circuit, ...http } = options;
    const guarded = circuit ? { ...http, guard: circuit, timeoutMs: circuit.attemptTimeoutMs } : http;
    this.http = new RetryingHttpClient(guarded);
  }

  async issueTickets(request: TicketRequest, headers: Record<string, string> = {}): Promise<IssueOutcome> {
    const init = {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", "idempotency-key": request.purchaseId, ...headers },
      body: JSON.stringify(request),
    };
    const result = await this.http.call(this.url, init, (response, text) => judge(request, response, text));
    if (result.ok) return result.value;
    throw new TicketingProviderUnavailableError(`The ticketing provider failed ${result.attempts} attempts for purchase ${request.purchaseId}: ${result.reason}`, result.attempts, { cause: result.cause });
  }
}

/** 200/201 issued, 409 the provider's definite "no tickets", retryable statuses again, anything else refused. */
function judge(request: TicketRequest, response: Response, text: string): Verdict<IssueOutcome> {
  if (response.status === 200 || response.status === 201) {
    const issued = JSON.parse(text) as IssuedTickets;
    return { done: true, value: { kind: "issued", reference: issued.reference, ticketIds: issued.ticketIds } };
  }
  const detail = problemDetail(text) ?? `HTTP ${response.status}`;
  if (response.status === 409) return { done: true, value: { kind: "unavailable", detail } };
  if (isRetryableStatus(response.status)) {
    const wait = retryAfterMs(response.headers.get("retry-after"));
    return { done: false, reason: `HTTP ${response.status}: ${detail}`, ...(wait === undefined ? {} : { retryAfterMs: wait }) };
  }
  throw new TicketingProviderRejectedError(`The ticketing provider refused the request for purchase ${request.purchaseId} (HTTP ${response.status}): ${detail}`, response.status);
}

function problemDetail(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { detail?: unknown; title?: unknown };
    if (typeof body.detail === "string") return body.detail.slice(0, 500);
    if (typeof body.title === "string") return body.title.slice(0, 500);
  } catch {
    // not JSON
  }
  return text ? text.slice(0, 500) : undefined;
}
