/**
 * Exponential backoff with jitter: the wait before retry n (1-based) is drawn from
 * [cap/2, cap], cap = min(maxDelayMs, initialDelayMs * multiplier^(n-1)) ("equal jitter"): it keeps growing, so a
 * struggling provider gets air, and callers that failed together do not retry together.
 */
export interface BackoffOptions {
  initialDelayMs: number;
  multiplier: number;
  maxDelayMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialDelayMs: 200, multiplier: 2, maxDelayMs: 5_000 };

export function backoffDelay(retry: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  if (!Number.isInteger(retry) || retry < 1) throw new RangeError(`retry must be an integer >= 1, got ${retry}`);
  const cap = Math.min(options.maxDelayMs, options.initialDelayMs * options.multiplier ** (retry - 1));
  return Math.round(cap / 2 + (cap / 2) * random());
}
