/**
 * The client of the third-party ticketing provider. Each call is bounded by a timeout; a 5xx, 408, 429, a timeout or
 * a network error is retried with exponential backoff and jitter, a bounded number of times, after which it throws
 * TicketingProviderUnavailableError: the command handler lets that escape so Service Bus redelivers the command
 * later (and dead-letters it after MaxDeliveryCount). A provider's Retry-After (seconds) lengthens the wait, up to
 * the backoff's maximum. A 409 is the provider's definite "no tickets" answer.
 */
import { backoffDelay, type BackoffOptions, DEFAULT_BACKOFF } from "./backoff.js";
import type { IssuedTickets, TicketRequest } from "./simulated-ticketing-provider.js";

export type IssueOutcome = { kind: "issued"; reference: string; ticketIds: string[] } | { kind: "unavailable"; detail: string };

export interface TicketingProviderClientOptions {
  /** The provider's base URL; requests go to `${baseUrl}/tickets`. */
  baseUrl: string;
  timeoutMs?: number;
  /** Attempts per call, the first included (default 4). */
  maxAttempts?: number;
  backoff?: BackoffOptions;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  fetch?: typeof fetch;
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

type Attempt = { done: true; outcome: IssueOutcome } | { done: false; reason: string; cause?: unknown; retryAfterMs?: number };

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

export class TicketingProviderClient {
  private readonly url: string;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly backoff: BackoffOptions;
  private readonly random: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly fetch: typeof fetch;

  constructor(options: TicketingProviderClientOptions) {
    this.url = `${options.baseUrl.replace(/\/+$/, "")}/tickets`;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.maxAttempts = options.maxAttempts ?? 4;
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) throw new RangeError(`maxAttempts must be an integer >= 1, got ${options.maxAttempts}`);
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.fetch = options.fetch ?? fetch;
  }

  async issueTickets(request: TicketRequest, headers: Record<string, string> = {}): Promise<IssueOutcome> {
    let last: Extract<Attempt, { done: false }> | undefined;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      if (attempt > 1) await this.sleep(Math.max(backoffDelay(attempt - 1, this.backoff, this.random), Math.min(last?.retryAfterMs ?? 0, this.backoff.maxDelayMs)));
      const result = await this.attempt(request, headers);
      if (result.done) return result.outcome;
      last = result;
    }
    throw new TicketingProviderUnavailableError(`The ticketing provider failed ${this.maxAttempts} attempts for purchase ${request.purchaseId}: ${last!.reason}`, this.maxAttempts, { cause: last!.cause });
  }

  private async attempt(request: TicketRequest, headers: Record<string, string>): Promise<Attempt> {
    let response: Response;
    let text: string;
    try {
      response = await this.fetch(this.url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json", "idempotency-key": request.purchaseId, ...headers },
        body: JSON.stringify(request),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
    } catch (err) {
      const timedOut = (err as Error)?.name === "TimeoutError";
      return { done: false, reason: timedOut ? `no answer within ${this.timeoutMs} ms` : `network error: ${(err as Error)?.message}`, cause: err };
    }
    if (response.status === 200 || response.status === 201) {
      const issued = JSON.parse(text) as IssuedTickets;
      return { done: true, outcome: { kind: "issued", reference: issued.reference, ticketIds: issued.ticketIds } };
    }
    const detail = problemDetail(text) ?? `HTTP ${response.status}`;
    if (response.status === 409) return { done: true, outcome: { kind: "unavailable", detail } };
    if (isRetryableStatus(response.status)) {
      const wait = retryAfterMs(response.headers.get("retry-after"));
      return { done: false, reason: `HTTP ${response.status}: ${detail}`, ...(wait === undefined ? {} : { retryAfterMs: wait }) };
    }
    throw new TicketingProviderRejectedError(`The ticketing provider refused the request for purchase ${request.purchaseId} (HTTP ${response.status}): ${detail}`, response.status);
  }
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
