/**
 * The emulator's one clock. It runs at wall-clock speed, and tests (or the HTTP endpoint) can move it forward, so
 * lock expiry, TTL, scheduled messages, retries and group timeouts never need a sleep. The local Functions host
 * passes its offset to the app's worker, so the app's `now` moves with it.
 *
 * Timers wait in a heap by due time; one real timer is armed for the earliest. An advance fires the timers that
 * fall due in due order, stepping the clock to each one's due time, so its cost follows the number of timers due,
 * never the length of time skipped. `advanceInSlices` (the HTTP endpoint's) yields to I/O between slices of a few
 * milliseconds, so a large backlog of expiries never stalls a port. Timers created by I/O that runs during those
 * pauses (a client's next request) wait until the advance is over, then fire at once: an advance over a century
 * does not replay a century of polling.
 */
import { MinHeap } from "./min-heap.js";

export interface TimerHandle {
  readonly due: number;
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the epoch on the emulator's time line. */
  now(): number;
  /** Runs `fn` once when the clock reaches now() + delayMs. */
  setTimer(delayMs: number, fn: () => void): TimerHandle;
  /** Runs `fn` once when the clock reaches `at` (ms since the epoch). */
  setTimerAt(at: number, fn: () => void): TimerHandle;
  /**
   * Runs `fn` every `periodMs`. When the clock jumps over many periods, `fn` runs at the first one and once more at
   * the end of the jump rather than once per period skipped: for sweeps that look at "now" (retention), not at
   * each instant in between.
   */
  setRepeating(periodMs: number, fn: () => void): TimerHandle;
}

const DAY_MS = 86_400_000;
/**
 * The most one advance may skip: a century (36,525 days). Nothing the emulator models has a meaningful deadline
 * further out than that (Azure's "never", TimeSpan.MaxValue, is about 29,000 years), so a larger value is a typo.
 */
export const MAX_ADVANCE_MS = 36_525 * DAY_MS;
/**
 * The latest time the clock may show: 9999-12-31T23:59:59.999Z, the last instant .NET's DateTime and Python's
 * datetime can hold. Official SDKs turn the emulator's timestamps (enqueued time, locked-until) into those types.
 */
export const LATEST_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

// A slice of an advance ends after this much work or this many timers, whichever comes first.
const SLICE_MS = 25;
const SLICE_TIMERS = 5000;
// Node caps a timer's delay at 2^31-1 ms; a longer wait re-arms when the real timer fires.
const MAX_REAL_DELAY_MS = 2 ** 31 - 1;

interface Timer extends TimerHandle {
  readonly seq: number;
  fn: () => void;
  done: boolean;
  /** The advance during whose pauses this timer was created: it waits until that advance is over. */
  lateFor?: number;
}

interface Advance {
  id: number;
  target: number;
}

const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

export class EmulatorClock implements Clock {
  private offsetMs = 0;
  private seq = 0;
  /** Pending timers by due time, then creation order (timers due together fire in the order they were set). */
  private readonly heap = new MinHeap<Timer>((a, b) => a.due < b.due || (a.due === b.due && a.seq < b.seq));
  private live = 0;
  private cancelled = 0;
  private real: NodeJS.Timeout | undefined;
  private realDue = Number.NaN;
  private advancing: Advance | undefined;
  private advanceIds = 0;
  private firing = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly moveListeners = new Set<(offsetMs: number) => void>();

  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** How far the clock has been moved ahead of wall time. */
  get offset(): number {
    return this.offsetMs;
  }

  /** Pending timers (not counting cancelled ones). */
  get pending(): number {
    return this.live;
  }

  /** Calls `listener` with the new offset whenever the clock is moved; returns a function that stops it. */
  onMove(listener: (offsetMs: number) => void): () => void {
    this.moveListeners.add(listener);
    return () => this.moveListeners.delete(listener);
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    return this.setTimerAt(this.now() + Math.max(0, delayMs), fn);
  }

  setTimerAt(at: number, fn: () => void): TimerHandle {
    const timer: Timer = {
      due: at,
      seq: this.seq++,
      fn,
      done: false,
      cancel: () => {
        if (timer.done) return;
        timer.done = true;
        this.live--;
        this.cancelled++;
        // Cancelled timers stay in the heap until they surface; drop them in one pass when they outnumber the rest.
        if (this.cancelled > this.live + 1024) {
          this.heap.retain((t) => !t.done);
          this.cancelled = 0;
        }
      },
    };
    if (this.advancing && this.firing === 0) timer.lateFor = this.advancing.id;
    this.heap.push(timer);
    this.live++;
    this.armReal();
    return timer;
  }

  setRepeating(periodMs: number, fn: () => void): TimerHandle {
    let stopped = false;
    let current: TimerHandle;
    const tick = () => {
      fn();
      if (stopped) return;
      // Inside an advance, the next run is at the end of the jump at the earliest, not at each period skipped (and
      // after a stall of the process, now rather than once per period missed).
      current = this.setTimerAt(Math.max(current.due + periodMs, this.advancing?.target ?? this.now()), tick);
    };
    current = this.setTimer(periodMs, tick);
    return {
      get due() {
        return current.due;
      },
      cancel: () => {
        stopped = true;
        current.cancel();
      },
    };
  }

  /** Throws a RangeError saying why, unless `ms` is an advance the clock can make now. */
  checkAdvance(ms: number): void {
    if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) {
      throw new RangeError(`An advance must be a finite, non-negative number of milliseconds, got ${ms}.`);
    }
    if (ms > MAX_ADVANCE_MS) {
      throw new RangeError(`An advance may skip at most ${MAX_ADVANCE_MS} ms (a century) at a time, got ${ms}.`);
    }
    if (this.now() + ms > LATEST_TIME_MS) {
      const latest = new Date(LATEST_TIME_MS).toISOString();
      throw new RangeError(`The clock cannot pass ${latest}, the latest time SDKs can represent.`);
    }
  }

  /**
   * Moves the clock forward and runs every timer that falls due, earliest first, in one go. The clock steps through
   * each timer's due time, so a timer that schedules another inside the window sees the time it was due at.
   */
  advance(ms: number): void {
    this.checkAdvance(ms);
    const target = this.now() + ms;
    const previous = this.advancing;
    this.advancing = { id: ++this.advanceIds, target };
    try {
      this.runDue(target, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY);
      this.offsetMs += Math.max(0, target - this.now());
    } finally {
      this.advancing = previous;
      this.armReal();
    }
    this.notifyMove();
  }

  /**
   * As `advance`, but in slices that yield to I/O in between, so every port keeps answering while a large backlog
   * of timers is worked through. Advances asked for while one runs wait their turn.
   */
  advanceInSlices(ms: number): Promise<void> {
    this.checkAdvance(ms);
    const run = this.queue.then(() => this.runSliced(ms));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Cancels every pending timer (used on shutdown). */
  dispose(): void {
    for (let t = this.heap.pop(); t; t = this.heap.pop()) t.done = true;
    this.live = 0;
    this.cancelled = 0;
    this.clearReal();
  }

  private async runSliced(ms: number): Promise<void> {
    this.checkAdvance(ms);
    const target = this.now() + ms;
    const id = ++this.advanceIds;
    this.advancing = { id, target };
    try {
      while (this.runDue(target, SLICE_TIMERS, SLICE_MS, id)) {
        this.notifyMove();
        await yieldToIo();
      }
      this.offsetMs += Math.max(0, target - this.now());
    } finally {
      this.advancing = undefined;
      this.armReal();
    }
    this.notifyMove();
  }

  /**
   * Fires timers due by `target` in due order, stepping the clock to each, until none is left or the budget
   * (timers, wall ms) is spent. Timers late for advance `skip` stay for later. Returns whether any is left.
   */
  private runDue(target: number, maxTimers: number, maxMs: number, skip?: number): boolean {
    const started = performance.now();
    const skipped: Timer[] = [];
    let fired = 0;
    let more = false;
    for (let t = this.heap.peek(); t && t.due <= target; t = this.heap.peek()) {
      if (fired >= maxTimers || (fired > 0 && performance.now() - started >= maxMs)) {
        more = true;
        break;
      }
      this.heap.pop();
      if (t.done) {
        this.cancelled--;
        continue;
      }
      if (skip !== undefined && t.lateFor === skip) {
        skipped.push(t);
        continue;
      }
      const now = this.now();
      if (t.due > now) this.offsetMs += t.due - now;
      this.fire(t);
      fired++;
    }
    for (const t of skipped) this.heap.push(t);
    return more;
  }

  private fire(timer: Timer): void {
    timer.done = true;
    this.live--;
    this.firing++;
    try {
      timer.fn();
    } finally {
      this.firing--;
    }
  }

  /** Arms the one real timer for the earliest pending timer (not while an advance is running: it arms at the end). */
  private armReal(): void {
    if (this.advancing) return;
    let head = this.heap.peek();
    while (head?.done) {
      this.heap.pop();
      this.cancelled--;
      head = this.heap.peek();
    }
    if (!head) return this.clearReal();
    if (this.real && this.realDue === head.due) return;
    this.clearReal();
    this.realDue = head.due;
    this.real = setTimeout(() => this.onRealTimer(), Math.min(Math.max(0, head.due - this.now()), MAX_REAL_DELAY_MS));
    this.real.unref();
  }

  private clearReal(): void {
    if (this.real) clearTimeout(this.real);
    this.real = undefined;
    this.realDue = Number.NaN;
  }

  private onRealTimer(): void {
    this.real = undefined;
    this.realDue = Number.NaN;
    if (this.advancing) return;
    // On wall time too, a large backlog is worked through in slices with I/O in between.
    const more = this.runDue(this.now(), SLICE_TIMERS, SLICE_MS);
    if (more) {
      this.realDue = Number.NEGATIVE_INFINITY;
      this.real = setTimeout(() => this.onRealTimer(), 0);
      this.real.unref();
    } else {
      this.armReal();
    }
  }

  private notifyMove(): void {
    for (const listener of this.moveListeners) listener(this.offsetMs);
  }
}
