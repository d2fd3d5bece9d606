/**
 * Keys kept in ordinal order as they come and go, with a binary search to seek: a partition's rows and a table's
 * partitions. A hot partition (a concert's stream, written once per reservation) gains a row per write and is
 * queried between writes; sorting its keys again for each query made every read cost O(n log n) in the size of
 * the partition, and a query that wants ten rows of it read them all.
 */
export class SortedKeys {
  private readonly keys: string[] = [];

  constructor(keys?: Iterable<string>) {
    if (keys) this.keys = [...keys].sort(ordinal);
  }

  get size(): number {
    return this.keys.length;
  }

  /** Adds `key` in its place (a key already there stays once). */
  add(key: string): void {
    const i = this.lowerBound(key);
    if (this.keys[i] !== key) this.keys.splice(i, 0, key);
  }

  remove(key: string): void {
    const i = this.lowerBound(key);
    if (this.keys[i] === key) this.keys.splice(i, 1);
  }

  /** The keys from `from` (inclusive; all when absent) up to `to` (inclusive; to the end when absent), in order. */
  *range(from: string | undefined, to: string | undefined): Iterable<string> {
    for (let i = from === undefined ? 0 : this.lowerBound(from); i < this.keys.length; i++) {
      const key = this.keys[i];
      if (to !== undefined && key > to) return;
      yield key;
    }
  }

  /** The index of the first key >= `key`. */
  private lowerBound(key: string): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keys[mid] < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

export function ordinal(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
