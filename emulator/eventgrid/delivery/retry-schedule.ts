/**
 * A subscription's batches waiting for their next attempt, with one clock timer for all of them (at the earliest due
 * time) instead of one per batch: an endpoint that is down can hold thousands of batches. Batches due at the same
 * time come out in the order they were scheduled, as separate clock timers would fire.
 */
import type { Clock, TimerHandle } from "../../common/clock.js";

interface Entry<T> {
  due: number;
  seq: number;
  item: T;
}

const before = <T>(a: Entry<T>, b: Entry<T>) => a.due < b.due || (a.due === b.due && a.seq < b.seq);

export class RetrySchedule<T> {
  /** Binary min-heap by (due, seq). */
  private readonly heap: Entry<T>[] = [];
  private seq = 0;
  private timer: TimerHandle | undefined;
  private timerDue = Infinity;

  constructor(
    private readonly clock: Clock,
    private readonly onDue: (item: T) => void,
  ) {}

  get size(): number {
    return this.heap.length;
  }

  /** The waiting items in the order they were scheduled. */
  items(): T[] {
    return [...this.heap].sort((a, b) => a.seq - b.seq).map((e) => e.item);
  }

  add(item: T, due: number): void {
    const entry = { due, seq: this.seq++, item };
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, heap[parent])) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = entry;
    if (due < this.timerDue) this.arm(due);
  }

  /** Cancels the timer (shutdown); the items stay listed. */
  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.timerDue = Infinity;
  }

  private arm(due: number): void {
    this.timer?.cancel();
    this.timerDue = due;
    this.timer = this.clock.setTimerAt(due, this.fire);
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.timerDue = Infinity;
    const now = this.clock.now();
    while (this.heap.length > 0 && this.heap[0].due <= now) this.onDue(this.pop().item);
    // onDue may have scheduled more; the timer must be at the earliest of all.
    if (this.heap.length > 0 && this.heap[0].due < this.timerDue) this.arm(this.heap[0].due);
  };

  private pop(): Entry<T> {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= heap.length) break;
        const r = l + 1;
        const child = r < heap.length && before(heap[r], heap[l]) ? r : l;
        if (!before(heap[child], last)) break;
        heap[i] = heap[child];
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}
