/**
 * The emulator's one clock. It runs at wall-clock speed, and tests (or the HTTP endpoint) can move it forward, so
 * lock expiry, TTL, scheduled messages, retries and group timeouts never need a sleep.
 *
 * Timers are kept by due time on this clock; each is backed by one real timer for the remaining wall time, and
 * `advance()` fires every timer that has become due, in due order.
 */
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
}

interface Timer extends TimerHandle {
  fn: () => void;
  seq: number;
  real: NodeJS.Timeout | undefined;
  done: boolean;
}

export class EmulatorClock implements Clock {
  private offsetMs = 0;
  private seq = 0;
  private readonly timers = new Set<Timer>();

  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** How far the clock has been moved ahead of wall time. */
  get offset(): number {
    return this.offsetMs;
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    return this.setTimerAt(this.now() + Math.max(0, delayMs), fn);
  }

  setTimerAt(at: number, fn: () => void): TimerHandle {
    const timer: Timer = {
      due: at,
      fn,
      seq: this.seq++,
      real: undefined,
      done: false,
      cancel: () => {
        if (timer.done) return;
        timer.done = true;
        if (timer.real) clearTimeout(timer.real);
        this.timers.delete(timer);
      },
    };
    this.timers.add(timer);
    this.arm(timer);
    return timer;
  }

  /**
   * Moves the clock forward and runs every timer that falls due, earliest first. The clock steps through each
   * timer's due time, so a timer that schedules another inside the window sees the time it was due at.
   */
  advance(ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`advance() needs a finite, non-negative number of ms, got ${ms}`);
    const target = this.now() + ms;
    for (;;) {
      let next: Timer | undefined;
      for (const t of this.timers) if (t.due <= target && (!next || t.due < next.due || (t.due === next.due && t.seq < next.seq))) next = t;
      if (!next) break;
      if (next.due > this.now()) this.offsetMs += next.due - this.now();
      this.fire(next);
    }
    this.offsetMs += Math.max(0, target - this.now());
    for (const t of this.timers) this.arm(t);
  }

  /** Cancels every pending timer (used on shutdown). */
  dispose(): void {
    for (const t of [...this.timers]) t.cancel();
  }

  private arm(timer: Timer): void {
    if (timer.real) clearTimeout(timer.real);
    const wait = Math.max(0, timer.due - this.now());
    // Node caps timers at 2^31-1 ms; a longer wait re-arms when the real timer fires.
    timer.real = setTimeout(() => this.fireOrRearm(timer), Math.min(wait, 2 ** 31 - 1));
    timer.real.unref();
  }

  private fireOrRearm(timer: Timer): void {
    if (timer.done) return;
    if (timer.due > this.now()) {
      this.arm(timer);
      return;
    }
    this.fire(timer);
  }

  private fire(timer: Timer): void {
    if (timer.done) return;
    timer.done = true;
    if (timer.real) clearTimeout(timer.real);
    this.timers.delete(timer);
    timer.fn();
  }
}
