/**
 * Open-loop load for the benches that drive the app over HTTP: arrivals follow a schedule fixed before the run
 * (fan i arrives at i / rate seconds), whatever the system answers. A closed loop (N in flight, the next sent when
 * one returns) slows its own offered load as the system slows, so it hides queueing; real fans do not wait for each
 * other, and an on-sale rush is exactly that. The schedule and the fan mix are pure so a unit test pins them; the
 * runner only sleeps until each due time and never awaits a task before starting the next.
 */

/** Arrival offsets in ms from the start, evenly spaced at `ratePerSecond` (deterministic, so runs compare). */
export function arrivalSchedule(count: number, ratePerSecond: number): number[] {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a whole number >= 0, got ${count}`);
  if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) {
    throw new RangeError(`rate must be > 0 per second, got ${ratePerSecond}`);
  }
  return Array.from({ length: count }, (_, i) => (i * 1000) / ratePerSecond);
}

/**
 * Starts `task(i)` at each offset of `schedule` (ms after the call), without waiting for earlier tasks, and resolves
 * when all have settled. `lateMs` is how far behind schedule the runner fell at worst (a busy event loop shows here:
 * then the offered rate was lower than asked, and the bench says so).
 */
export async function runOpenLoop(
  schedule: readonly number[],
  task: (i: number) => Promise<void>,
): Promise<{ lateMs: number; seconds: number }> {
  const started = performance.now();
  const running: Promise<void>[] = [];
  let lateMs = 0;
  for (let i = 0; i < schedule.length; i++) {
    const wait = started + schedule[i] - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    lateMs = Math.max(lateMs, performance.now() - started - schedule[i]);
    running.push(task(i));
  }
  const sent = (performance.now() - started) / 1000;
  await Promise.allSettled(running);
  return { lateMs, seconds: sent };
}

export type Tier = "standard" | "vip";

export interface FanOrder {
  tier: Tier;
  quantity: number;
}

/**
 * What fan i asks for in a flash sale: about one fan in five wants VIP, the rest standard; quantities 1 to 4 with
 * most fans buying 1 or 2 (weights 4:3:2:1). A fixed permutation of i (no Math.random), so every run asks the same.
 */
export function fanOrder(i: number): FanOrder {
  // A cheap integer hash spreads consecutive fans over the mix, so any prefix of the run has the same mix.
  const h = Math.imul(i + 1, 0x9e3779b1) >>> 0;
  const tier: Tier = h % 5 === 0 ? "vip" : "standard";
  const q = (h >>> 8) % 10;
  const quantity = q < 4 ? 1 : q < 7 ? 2 : q < 9 ? 3 : 4;
  return { tier, quantity };
}

/**
 * `promise`'s value, or undefined once `deadline` (ms since the epoch) has passed without it: an open-loop bench
 * waits for nothing longer than its bounded wait, not even for a request the system never answers.
 */
export function beforeDeadline<T>(promise: Promise<T>, deadline: number): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(undefined), Math.max(0, deadline - Date.now()));
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
