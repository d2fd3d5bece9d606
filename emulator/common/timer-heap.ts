/**
 * The clock's pending timers as a binary min-heap ordered by due time, then by creation order, so the earliest
 * timer is found in O(1) and taken in O(log n). The clock used to scan every timer for each one it fired, which
 * made an advance over many timers quadratic. (Hand-written: no heap package is among the dependencies, and this
 * is the one ordering the clock needs.)
 */
export interface HeapTimer {
  readonly due: number;
  readonly seq: number;
}

function before(a: HeapTimer, b: HeapTimer): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}

export class TimerHeap<T extends HeapTimer> {
  private items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const items = this.items;
    let i = items.length;
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(item, items[parent])) break;
      items[i] = items[parent];
      i = parent;
    }
    items[i] = item;
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    let i = 0;
    const n = items.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && before(items[r], items[l]) ? r : l;
      if (!before(items[c], last)) break;
      items[i] = items[c];
      i = c;
    }
    items[i] = last;
    return top;
  }

  /** Keeps only the items `keep` accepts (drops cancelled timers in one pass when they pile up). */
  retain(keep: (item: T) => boolean): void {
    const kept = this.items.filter(keep);
    this.items = [];
    for (const item of kept) this.push(item);
  }
}
