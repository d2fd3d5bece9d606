/**
 * A binary min-heap: O(log n) push and pop, used for sequence order, lock expiry and TTL expiry, and for the clock's
 * pending timers (an advance takes the earliest timer each time instead of scanning them all).
 */
export class MinHeap<T> {
  private items: T[] = [];

  constructor(private readonly less: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(a[i], a[parent])) break;
      [a[i], a[parent]] = [a[parent], a[i]];
      i = parent;
    }
  }

  pop(): T | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l], a[m])) m = l;
        if (r < a.length && this.less(a[r], a[m])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }

  /** Keeps only the items `keep` accepts, in one pass (drops stale or cancelled entries when they pile up). */
  retain(keep: (item: T) => boolean): void {
    this.rebuild(this.items.filter(keep));
  }

  /** Replaces the content (used to drop stale entries). */
  rebuild(items: Iterable<T>): void {
    this.items = [];
    for (const item of items) this.push(item);
  }
}
