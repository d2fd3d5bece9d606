/**
 * Keys that fall due at times on the emulator clock (lock expiry, TTL, scheduled activation, session locks), with
 * one clock timer armed at the earliest due time however many keys wait. Entries are never removed early: the owner
 * checks, when a key falls due, whether it still means anything (a stale entry is simply skipped).
 */
import type { Clock, TimerHandle } from "../../common/clock.js";
import { MinHeap } from "./min-heap.js";

interface Due<K> {
  at: number;
  key: K;
}

export class DueQueue<K> {
  private readonly heap = new MinHeap<Due<K>>((a, b) => a.at < b.at);
  private timer: TimerHandle | undefined;
  private closed = false;

  constructor(
    private readonly clock: Clock,
    /** Called once per entry that fell due, in due order; it may push again (a renewed lock). */
    private readonly onDue: (key: K, at: number) => void,
  ) {}

  get size(): number {
    return this.heap.size;
  }

  push(at: number, key: K): void {
    this.heap.push({ at, key });
    this.arm();
  }

  /**
   * Drops stale entries when they outnumber live ones (`live` lists what still matters), so a store whose locks are
   * renewed or settled early never grows its heap without bound.
   */
  compact(liveCount: number, live: () => Iterable<Due<K>>): void {
    if (this.heap.size > 2 * liveCount + 1024) this.heap.rebuild(live());
  }

  close(): void {
    this.closed = true;
    this.timer?.cancel();
    this.timer = undefined;
  }

  private arm(): void {
    const next = this.heap.peek();
    if (!next || this.closed) return;
    if (this.timer && this.timer.due <= next.at) return;
    this.timer?.cancel();
    this.timer = this.clock.setTimerAt(next.at, () => {
      this.timer = undefined;
      this.fire();
    });
  }

  private fire(): void {
    const now = this.clock.now();
    for (let due = this.heap.peek(); due && due.at <= now && !this.closed; due = this.heap.peek()) {
      this.heap.pop();
      this.onDue(due.key, due.at);
    }
    this.arm();
  }
}
