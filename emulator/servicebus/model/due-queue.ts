/**
 * Keys that fall due at times on the emulator clock (lock expiry, TTL, scheduled activation, session locks), with
 * one clock timer armed at the earliest due time however many keys wait. Entries are never removed early: the owner
 * checks, when a key falls due, whether it still means anything (a stale entry is simply skipped).
 */
import type { Clock, TimerHandle } from "../../common/clock.js";

// Entries handled per firing of the queue's timer.
const FIRE_SLICE = 1000;

export interface Due<K> {
  at: number;
  key: K;
}

export class DueQueue<K> {
  /**
   * A binary min-heap by due time in two parallel arrays (times, keys) rather than an entry object per key: a queue
   * with a TTL keeps one entry per stored message, and an object each was a heap object per message for the garbage
   * collector to copy and mark.
   */
  private ats: number[] = [];
  private keys: K[] = [];
  private timer: TimerHandle | undefined;
  private closed = false;

  constructor(
    private readonly clock: Clock,
    /** Called once per entry that fell due, in due order; it may push again (a renewed lock). */
    private readonly onDue: (key: K, at: number) => void,
  ) {}

  get size(): number {
    return this.ats.length;
  }

  push(at: number, key: K): void {
    const ats = this.ats;
    const keys = this.keys;
    let i = ats.length;
    ats.push(at);
    keys.push(key);
    // Sift up; entries nearly always arrive in due order, so this rarely moves anything.
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!(at < ats[parent])) break;
      ats[i] = ats[parent];
      keys[i] = keys[parent];
      i = parent;
    }
    ats[i] = at;
    keys[i] = key;
    this.arm();
  }

  /**
   * Whether stale entries outnumber live ones (`liveCount`): then the owner rebuilds the queue from what still
   * matters, so a store whose locks are renewed or settled early never grows its queue without bound.
   */
  outgrew(liveCount: number): boolean {
    return this.ats.length > 2 * liveCount + 1024;
  }

  /** Replaces the entries. */
  rebuild(live: Iterable<Due<K>>): void {
    this.ats = [];
    this.keys = [];
    for (const { at, key } of live) this.push(at, key);
  }

  close(): void {
    this.closed = true;
    this.timer?.cancel();
    this.timer = undefined;
  }

  private arm(): void {
    if (this.ats.length === 0 || this.closed) return;
    const next = this.ats[0];
    if (this.timer && this.timer.due <= next) return;
    this.timer?.cancel();
    this.timer = this.clock.setTimerAt(next, () => {
      this.timer = undefined;
      this.fire();
    });
  }

  private fire(): void {
    const now = this.clock.now();
    // A bounded slice per firing: the rest re-arms at once, and the clock runs it after other due timers and I/O,
    // so a million messages expiring together never stall the port.
    for (let n = 0; n < FIRE_SLICE && this.ats.length > 0 && this.ats[0] <= now && !this.closed; n++) {
      const at = this.ats[0];
      const key = this.popTop();
      this.onDue(key, at);
    }
    this.arm();
  }

  /** Removes the earliest entry and returns its key. */
  private popTop(): K {
    const ats = this.ats;
    const keys = this.keys;
    const top = keys[0];
    const lastAt = ats.pop()!;
    const lastKey = keys.pop()!;
    const n = ats.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && ats[r] < ats[l] ? r : l;
        if (!(ats[c] < lastAt)) break;
        ats[i] = ats[c];
        keys[i] = keys[c];
        i = c;
      }
      ats[i] = lastAt;
      keys[i] = lastKey;
    }
    return top;
  }
}
