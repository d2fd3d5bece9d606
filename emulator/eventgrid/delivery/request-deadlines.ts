/**
 * Attempt timeouts on the emulator clock without a timer per request: every request of a destination waits the same
 * time, so deadlines fall due in the order they were set, and one clock timer (at the earliest deadline) serves all.
 * A request that ends first just leaves the queue; the timer, when it fires, expires what is due and moves on.
 */
import type { Clock, TimerHandle } from "../../common/clock.js";

export interface Expiring {
  /** Set by the queue: when the request times out (emulator clock, ms). */
  deadline: number;
  expire(): void;
}

export class RequestDeadlines {
  /** Insertion order is deadline order (same timeout for all, and the clock only moves forward). */
  private readonly pending = new Set<Expiring>();
  private timer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    readonly timeoutMs: number,
  ) {}

  add(item: Expiring): void {
    item.deadline = this.clock.now() + this.timeoutMs;
    this.pending.add(item);
    if (!this.timer) this.timer = this.clock.setTimerAt(item.deadline, this.fire);
  }

  delete(item: Expiring): void {
    this.pending.delete(item);
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    const now = this.clock.now();
    for (const item of this.pending) {
      if (item.deadline > now) {
        this.timer = this.clock.setTimerAt(item.deadline, this.fire);
        return;
      }
      this.pending.delete(item);
      item.expire();
    }
  };
}
