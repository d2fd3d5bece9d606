/**
 * Timer triggers on the emulator clock: each function's schedule arms one clock timer; when it fires the host arms
 * the next occurrence and queues a run with the TimerInfo the real host sends (PascalCase; the library
 * camel-cases it). Runs of one function never overlap (the host's timers are singletons): occurrences that fall
 * due while a run is in progress, as when a test moves the clock over several of them, wait their turn. A backlog
 * past MAX_BACKLOG stops arming until it drains, and the next run then reports IsPastDue, as the host does for
 * missed occurrences. `runOnStartup` runs once at start; the function's `retry` policy (fixedDelay /
 * exponentialBackoff) re-runs failures on the clock.
 */
import type { Clock, TimerHandle } from "../../common/clock.js";
import type { Logger } from "../../common/logger.js";
import { resolveSettingReferences } from "../host-settings.js";
import type { HostedFunction } from "../function-registry.js";
import type { Invoker } from "../invoker.js";
import type { RpcRetryOptions } from "../rpc-types.js";
import { parseTimerSchedule, type TimerSchedule } from "./timer-schedule.js";
import { jsonData } from "./trigger-metadata.js";

// .NET's DateTime.MinValue, which the host reports as ScheduleStatus.Last before the first run.
const NEVER = "0001-01-01T00:00:00";
// A run this late counts as past due.
const PAST_DUE_MS = 1000;
// Queued occurrences per function before the schedule stops arming (a clock moved a year over a 1 s schedule).
const MAX_BACKLOG = 10;

interface ArmedTimer {
  fn: HostedFunction;
  schedule: TimerSchedule;
  handle?: TimerHandle;
  lastOccurrence?: number;
  queue: { occurrence: number; pastDue: boolean }[];
  draining: boolean;
  suspended: boolean;
  missed: boolean;
}

function durationMs(d: { seconds?: number | null; nanos?: number | null } | null | undefined): number {
  return (Number(d?.seconds ?? 0) * 1000) + Math.round(Number(d?.nanos ?? 0) / 1e6);
}

export function retryDelayMs(retry: RpcRetryOptions, attempt: number): number {
  if (retry.retryStrategy === "exponentialBackoff") {
    const min = durationMs(retry.minimumInterval);
    const max = durationMs(retry.maximumInterval);
    return Math.min(max > 0 ? max : Number.POSITIVE_INFINITY, min * 2 ** (attempt - 1));
  }
  return durationMs(retry.delayInterval);
}

export class TimerTrigger {
  private readonly timers: ArmedTimer[] = [];
  private readonly pending = new Set<TimerHandle>();
  private closed = false;

  constructor(
    functions: HostedFunction[],
    private readonly env: Record<string, string>,
    private readonly clock: Clock,
    private readonly invoker: Invoker,
    private readonly logger: Logger,
  ) {
    const timeZone = env.WEBSITE_TIME_ZONE || env.TZ || "UTC";
    for (const fn of functions) {
      if (fn.trigger.type.toLowerCase() !== "timertrigger" || fn.disabled) continue;
      const expression = resolveSettingReferences(String(fn.trigger.schedule ?? ""), env, `Function "${fn.name}" schedule`);
      this.timers.push({ fn, schedule: parseTimerSchedule(expression, timeZone), queue: [], draining: false, suspended: false, missed: false });
    }
  }

  /** Arms every schedule and runs `runOnStartup` functions once. */
  start(): void {
    for (const t of this.timers) {
      if (t.fn.trigger.runOnStartup === true) this.enqueue(t, this.clock.now(), false);
      this.arm(t, this.clock.now());
    }
  }

  /** Queues a run of a timer function now (the admin endpoint, as `func start` offers for non-HTTP functions). */
  runNow(fn: HostedFunction): void {
    const t = this.timers.find((x) => x.fn === fn);
    if (!t) throw new Error(`"${fn.name}" is not an active timer function.`);
    this.enqueue(t, this.clock.now(), false);
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) {
      t.handle?.cancel();
      t.queue.length = 0;
    }
    for (const h of this.pending) h.cancel();
    this.pending.clear();
  }

  private arm(t: ArmedTimer, after: number): void {
    if (this.closed) return;
    const due = t.schedule.next(after);
    t.handle = this.clock.setTimerAt(due, () => {
      t.handle = undefined;
      const pastDue = t.missed || this.clock.now() - due > PAST_DUE_MS;
      t.missed = false;
      this.enqueue(t, due, pastDue);
      if (t.queue.length < MAX_BACKLOG) this.arm(t, due);
      else t.suspended = true;
    });
  }

  private enqueue(t: ArmedTimer, occurrence: number, pastDue: boolean): void {
    if (this.closed) return;
    t.queue.push({ occurrence, pastDue });
    void this.drain(t);
  }

  private async drain(t: ArmedTimer): Promise<void> {
    if (t.draining) return;
    t.draining = true;
    try {
      for (let next = t.queue.shift(); next && !this.closed; next = t.queue.shift()) {
        const info = this.timerInfo(t, next.occurrence, next.pastDue);
        t.lastOccurrence = next.occurrence;
        await this.invokeWithRetry(t.fn, info, 0);
      }
    } finally {
      t.draining = false;
    }
    if (t.suspended && !this.closed) {
      t.suspended = false;
      t.missed = true;
      this.arm(t, this.clock.now());
    }
  }

  private timerInfo(t: ArmedTimer, occurrence: number, pastDue: boolean): unknown {
    const useMonitor = t.fn.trigger.useMonitor !== false;
    return {
      Schedule: { AdjustForDST: true },
      ScheduleStatus: useMonitor
        ? {
            Last: t.lastOccurrence === undefined ? NEVER : new Date(t.lastOccurrence).toISOString(),
            Next: new Date(t.schedule.next(occurrence)).toISOString(),
            LastUpdated: new Date(this.clock.now()).toISOString(),
          }
        : null,
      IsPastDue: pastDue,
    };
  }

  private async invokeWithRetry(fn: HostedFunction, info: unknown, retryCount: number): Promise<void> {
    const retry = fn.metadata.retryOptions;
    const maxRetryCount = Number(retry?.maxRetryCount ?? 0);
    try {
      await this.invoker.invoke(fn, {
        inputData: [{ name: fn.triggerName, data: jsonData(info) }],
        triggerMetadata: {},
        retryContext: retry ? { retryCount, maxRetryCount } : null,
      });
    } catch (err) {
      if (this.closed || !retry || (maxRetryCount !== -1 && retryCount >= maxRetryCount)) {
        this.logger.debug("timer invocation failed", { function: fn.name, error: (err as Error).message });
        return;
      }
      const delay = retryDelayMs(retry, retryCount + 1);
      await new Promise<void>((resolve) => {
        const h = this.clock.setTimer(delay, () => {
          this.pending.delete(h);
          resolve();
        });
        this.pending.add(h);
      });
      if (!this.closed) await this.invokeWithRetry(fn, info, retryCount + 1);
    }
  }
}
