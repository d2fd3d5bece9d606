/**
 * What the clients of other services (the ticketing provider, the fans API) share: each attempt bounded by a
 * timeout; a timeout or a network error retried, and so is any answer the caller's `judge` calls retryable; waits
 * between attempts by exponential backoff with jitter (`backoff.ts`), lengthened to a Retry-After the judge passes on,
 * up to the backoff's maximum. After `maxAttempts` the caller gets the last reason and decides what to throw.
 * A `guard` (the ticketing provider's circuit breaker) may run each attempt instead, with its own timeout, and may
 * refuse one: that error ends the call at once, since retrying against an open circuit only burns the backoff.
 */
import { backoffDelay, type BackoffOptions, DEFAULT_BACKOFF } from "./backoff.js";

export interface RetryingHttpClientOptions {
  timeoutMs?: number;
  /** Attempts per call, the first included (default 4). */
  maxAttempts?: number;
  backoff?: BackoffOptions;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  fetch?: typeof fetch;
  /** Runs each attempt in place of the client's own timeout (a circuit breaker with a timeout policy). */
  guard?: AttemptGuard;
}

/** One attempt's answer, body read (so a guard's timeout covers the whole exchange). */
export interface AttemptAnswer {
  response: Response;
  text: string;
}

export interface AttemptGuard {
  /** Runs `attempt` with the signal it must honour; throws for a timeout, or to refuse the attempt. */
  run(attempt: (signal: AbortSignal) => Promise<AttemptAnswer>): Promise<AttemptAnswer>;
  /** True for the guard's refusal (not a failure of the attempt): the call ends with it, without another try. */
  refuses(error: unknown): boolean;
}

/** One answer judged: the call's value, or a reason to try again. A judge throws for answers that end the call. */
export type Verdict<T> = { done: true; value: T } | { done: false; reason: string; retryAfterMs?: number };

export type CallResult<T> = { ok: true; value: T } | { ok: false; attempts: number; reason: string; cause?: unknown };

/** 5xx, 408 Request Timeout and 429 Too Many Requests may succeed later; other answers will not change. */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/** A Retry-After header (seconds or an HTTP date) in ms, or undefined. */
export function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

export class RetryingHttpClient {
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  private readonly backoff: BackoffOptions;
  private readonly random: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly fetch: typeof fetch;
  private readonly guard: AttemptGuard | undefined;

  constructor(options: RetryingHttpClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.maxAttempts = options.maxAttempts ?? 4;
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) throw new RangeError(`maxAttempts must be an integer >= 1, got ${options.maxAttempts}`);
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.fetch = options.fetch ?? fetch;
    this.guard = options.guard;
  }

  async call<T>(url: string, init: RequestInit, judge: (response: Response, text: string) => Verdict<T>): Promise<CallResult<T>> {
    let last: { reason: string; cause?: unknown; retryAfterMs?: number } = { reason: "" };
    const attemptOnce = async (signal: AbortSignal): Promise<AttemptAnswer> => {
      const answer = await this.fetch(url, { ...init, signal });
      return { response: answer, text: await answer.text() };
    };
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      if (attempt > 1) await this.sleep(Math.max(backoffDelay(attempt - 1, this.backoff, this.random), Math.min(last.retryAfterMs ?? 0, this.backoff.maxDelayMs)));
      let response: Response;
      let text: string;
      try {
        const answer = this.guard
          ? await this.guard.run(attemptOnce)
          : await attemptOnce(AbortSignal.timeout(this.timeoutMs));
        ({ response, text } = answer);
      } catch (err) {
        if (this.guard?.refuses(err)) throw err;
        const timedOut = (err as Error)?.name === "TimeoutError";
        last = { reason: timedOut ? `no answer within ${this.timeoutMs} ms` : `network error: ${(err as Error)?.message}`, cause: err };
        continue;
      }
      const verdict = judge(response, text);
      if (verdict.done) return { ok: true, value: verdict.value };
      last = { reason: verdict.reason, ...(verdict.retryAfterMs === undefined ? {} : { retryAfterMs: verdict.retryAfterMs }) };
    }
    return { ok: false, attempts: this.maxAttempts, reason: last.reason, ...(last.cause === undefined ? {} : { cause: last.cause }) };
  }
}
