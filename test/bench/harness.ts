/**
 * Shape of `npm run bench`: each suite measures figures next to a baseline taken in the same run (these machines
 * are noisy, so ratios are what we compare against targets), and the runner prints one table and writes JSON.
 */
export interface BenchRow {
  suite: string;
  /** What was measured, e.g. "send 1 KB, batches of 100". */
  name: string;
  value: number;
  unit: string;
  /** The same measurement against the baseline (null sink, raw SDK, plain HTTP...), when there is one. */
  baseline?: { name: string; value: number };
  /** The target, as text, e.g. ">= 80% of baseline" or "< 300 ms". */
  target?: string;
  /** Whether the target was met; undefined when the row has no target. */
  pass?: boolean;
}

export interface BenchSuite {
  name: string;
  run(): Promise<BenchRow[]>;
}

/** Ratio of value to baseline as a percentage, one decimal. */
export function percentOf(value: number, baseline: number): number {
  return baseline === 0 ? 0 : Math.round((value / baseline) * 1000) / 10;
}

/** A figure to one decimal, as the bench tables show them. */
export function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

/**
 * A table row's Timestamp (the service's commit time) in ms. The Tables SDK hands it over as a Date when the
 * service annotates it as Edm.DateTime and as a string otherwise; `String(date)` drops the milliseconds, which made
 * read-model lags up to a second too small (negative at p50).
 */
export function timestampMs(timestamp: unknown): number {
  if (timestamp instanceof Date) return timestamp.getTime();
  return typeof timestamp === "string" ? Date.parse(timestamp) : NaN;
}
