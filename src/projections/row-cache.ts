/**
 * The rows this worker last wrote, with the ETag each write returned: the next event for a row writes with that
 * ETag straight away instead of reading the row first, which halves the Table Storage requests of a busy
 * projection. It is only ever a guess: a conditional write with a stale ETag fails (another instance wrote the row
 * since), the writer forgets the row and reads it, so a stale entry costs a retry, never a wrong row. A row the
 * cache says is already past an event is read again before the event is skipped (a rebuild may have rewritten it).
 * Bounded: the least recently used rows go first.
 */
import type { RowProperties } from "./row-store.js";

export interface CachedRow {
  etag: string;
  properties: RowProperties;
}

export class RowCache {
  private readonly rows = new Map<string, CachedRow>();

  constructor(private readonly capacity = 10_000) {}

  get(table: string, partitionKey: string, rowKey: string): CachedRow | undefined {
    const id = idOf(table, partitionKey, rowKey);
    const row = this.rows.get(id);
    if (row) {
      // Map keeps insertion order: moving the row to the end makes the first entry the least recently used.
      this.rows.delete(id);
      this.rows.set(id, row);
    }
    return row;
  }

  /** Remembers a row as written; without an ETag (a store that returns none) it is forgotten instead. */
  set(table: string, partitionKey: string, rowKey: string, etag: string | undefined, properties: RowProperties): void {
    const id = idOf(table, partitionKey, rowKey);
    this.rows.delete(id);
    if (etag === undefined || this.capacity === 0) return;
    this.rows.set(id, { etag, properties });
    if (this.rows.size > this.capacity) this.rows.delete(this.rows.keys().next().value!);
  }

  forget(table: string, partitionKey: string, rowKey: string): void {
    this.rows.delete(idOf(table, partitionKey, rowKey));
  }

  get size(): number {
    return this.rows.size;
  }
}

/** A cache that remembers nothing: every apply reads its row (rebuilds, tests of the read path). */
export const noRowCache = new RowCache(0);

const idOf = (table: string, partitionKey: string, rowKey: string) => `${table}\n${partitionKey}\n${rowKey}`;
