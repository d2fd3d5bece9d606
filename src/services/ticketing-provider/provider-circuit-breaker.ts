/**
 * The circuit breaker (with a timeout) around each HTTP attempt at the ticketing provider, so that a provider that
 * is down is not hammered by every IssueTickets command and every retry of it. Built from cockatiel's policies:
 *
 *   circuitBreaker(ConsecutiveBreaker(failures), halfOpenAfter)  <-  timeout(attemptTimeout, aggressive)  <-  fetch
 *
 * A failure is what says "the provider is not well": a timeout, a network error, or an answer the retrying client
 * would retry (5xx, 408, 429). A 4xx the provider means (400, 409) is an answer from a healthy provider: it resets
 * the count. After `failures` consecutive failures the circuit opens: attempts fail at once with CircuitOpenError
 * (the provider sees nothing) until `halfOpenAfter` has passed; then the next attempt is the half-open probe
 * (attempts that come meanwhile wait for it): success closes the circuit, failure opens it for another period.
 *
 * In Azure each Functions instance (and each worker process) has its own breaker: the state lives in memory, so
 * with N instances the provider may see up to N probes per period. That is the usual trade-off for serverless;
 * sharing the state (in a table, say) would put another remote call in front of every attempt.
 */
import {
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  handleWhen,
  isBrokenCircuitError,
  isTaskCancelledError,
  timeout,
  TimeoutStrategy,
  wrap,
} from "cockatiel";
import { type AttemptAnswer, type AttemptGuard, isRetryableStatus } from "../http/retrying-http-client.js";

export type CircuitStateName = "closed" | "open" | "half-open";

export interface ProviderCircuitBreakerOptions {
  /** Consecutive failed attempts that open the circuit. */
  failures: number;
  /** How long the circuit stays open before one probe may go through. */
  halfOpenAfterMs: number;
  /** Each attempt's bound; one that takes longer is abandoned and counts as a failure. */
  attemptTimeoutMs: number;
  /** Told of every state change (the app logs it; tests watch it). */
  onStateChange?: (change: CircuitStateChange) => void;
}

export interface CircuitStateChange {
  state: CircuitStateName;
  /** When the circuit lets a probe through (state open). */
  halfOpenAt?: Date;
  /** Why it opened: the last failure. */
  reason?: string;
}

/** The circuit is open: the attempt was not made. `retryAt` is when a probe may go through. */
export class CircuitOpenError extends Error {
  constructor(readonly retryAt: Date) {
    super(
      `The ticketing provider's circuit is open (it kept failing); a probe may go through at ${retryAt.toISOString()}.`,
    );
    this.name = "CircuitOpenError";
  }
}

/** An attempt that took longer than the breaker's timeout (named as AbortSignal.timeout names its error). */
export class AttemptTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = "TimeoutError";
  }
}

/** A retryable status, marked as a failure for the breaker while the answer itself goes back to the caller. */
const failedAnswer = (result: unknown) => isRetryableStatus((result as AttemptAnswer).response.status);

export class ProviderCircuitBreaker implements AttemptGuard {
  private readonly breaker;
  private readonly policy;
  private readonly halfOpenAfterMs: number;
  readonly attemptTimeoutMs: number;
  private openedAt = 0;

  constructor(options: ProviderCircuitBreakerOptions) {
    if (!Number.isInteger(options.failures) || options.failures < 1) {
      throw new RangeError(`failures must be an integer >= 1, got ${options.failures}`);
    }
    this.halfOpenAfterMs = options.halfOpenAfterMs;
    this.attemptTimeoutMs = options.attemptTimeoutMs;
    // Every error counts (timeouts and network errors); a 4xx the judge refuses is thrown later, outside the policy.
    this.breaker = circuitBreaker(handleWhen(() => true).orWhenResult(failedAnswer), {
      halfOpenAfter: options.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(options.failures),
    });
    this.policy = wrap(this.breaker, timeout(options.attemptTimeoutMs, TimeoutStrategy.Aggressive));
    this.breaker.onBreak((reason) => {
      this.openedAt = Date.now();
      const why =
        "error" in reason ? reason.error.message : "value" in reason ? describeAnswer(reason.value) : "isolated";
      options.onStateChange?.({ state: "open", halfOpenAt: this.halfOpenAt(), reason: why });
    });
    this.breaker.onHalfOpen(() => options.onStateChange?.({ state: "half-open" }));
    this.breaker.onReset(() => options.onStateChange?.({ state: "closed" }));
  }

  get state(): CircuitStateName {
    const state = this.breaker.state;
    if (state === CircuitState.Closed) return "closed";
    return state === CircuitState.HalfOpen ? "half-open" : "open";
  }

  /** When the open circuit lets the next probe through. */
  halfOpenAt(): Date {
    return new Date(this.openedAt + this.halfOpenAfterMs);
  }

  refuses(error: unknown): boolean {
    return error instanceof CircuitOpenError;
  }

  /**
   * Runs one attempt (fetch and read the body, honouring `signal`) through the breaker and the timeout. Throws
   * CircuitOpenError when the circuit is open, AttemptTimeoutError when the attempt took too long.
   */
  async run(attempt: (signal: AbortSignal) => Promise<AttemptAnswer>): Promise<AttemptAnswer> {
    let timedOut = false;
    const bounded = (signal: AbortSignal) =>
      attempt(signal).catch((err: unknown) => {
        // The timeout aborts the signal, so fetch may reject with the abort's reason before the policy's own error
        // (the signal is also aborted once the attempt settles: only an abort before the rejection is a timeout).
        timedOut = signal.aborted;
        throw err;
      });
    try {
      return await this.policy.execute(({ signal }) => bounded(signal));
    } catch (err) {
      if (isBrokenCircuitError(err)) throw new CircuitOpenError(this.halfOpenAt());
      if (isTaskCancelledError(err) || timedOut) throw new AttemptTimeoutError(this.attemptTimeoutMs);
      throw err;
    }
  }
}

function describeAnswer(value: unknown): string {
  const answer = value as AttemptAnswer;
  return `HTTP ${answer.response.status}${answer.text ? `: ${answer.text.slice(0, 200)}` : ""}`;
}
