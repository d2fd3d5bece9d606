/**
 * Where a read model keeps its rows: a port shaped like Table Storage (partition key, row key, scalar properties,
 * an ETag per row, atomic writes within one partition), so the projections' logic — conditional writes, retries on
 * a lost race — runs the same on Azure Table Storage (table-row-store.ts) and in memory (unit tests).
 */
export type RowValue = string | number | boolean;
export type RowProperties = Record<string, RowValue>;

export interface StoredRow {
  partitionKey: string;
  rowKey: string;
  /** Changes on every write; a conditional write with an older one fails. */
  etag: string;
  /** When the row was last written (the service's Timestamp), ISO 8601. */
  timestamp?: string;
  properties: RowProperties;
}

export type RowWrite =
  /** Fails with RowConflictError when the row exists. */
  | { kind: "insert"; rowKey: string; properties: RowProperties }
  /** Fails with RowConflictError when the row changed since `etag` was read (or is gone). */
  | { kind: "replace"; rowKey: string; etag: string; properties: RowProperties };

/** A row a write left: its new ETag (undefined when the service did not say). */
export interface WrittenRow {
  rowKey: string;
  etag: string | undefined;
}

export interface RowStore {
  /** The table's name (for messages and the rebuild's report). */
  readonly name: string;
  get(partitionKey: string, rowKey: string): Promise<StoredRow | undefined>;
  /** The partition's rows in row-key order (optionally only keys starting with `rowKeyPrefix`). */
  listPartition(partitionKey: string, options?: { rowKeyPrefix?: string }): Promise<StoredRow[]>;
  /** Every row, by partition then row key. */
  listAll(): AsyncIterable<StoredRow>;
  /** Writes all of `writes` in one partition atomically (all or none); answers each row's new ETag, in order. */
  write(partitionKey: string, writes: readonly RowWrite[]): Promise<WrittenRow[]>;
  /** Writes a row whatever is there (the rebuild's own fresh table, and the swap). */
  put(partitionKey: string, rowKey: string, properties: RowProperties): Promise<void>;
  delete(partitionKey: string, rowKey: string): Promise<void>;
  /** Removes the table itself (a rebuild's scratch table). */
  drop(): Promise<void>;
}

/** A conditional write lost: another writer inserted the row first, or changed it since it was read. */
export class RowConflictError extends Error {
  readonly code = "RowConflict";
  constructor(table: string, partitionKey: string, detail: string) {
    super(`${table}/${partitionKey}: ${detail}`);
    this.name = "RowConflictError";
  }
}

/** The in-memory RowStore: same semantics, for unit tests and the documentation test's endpoints. */
export class InMemoryRowStore implements RowStore {
  private readonly rows = new Map<string, Map<string, { etag: string; properties: RowProperties; writtenAt: number }>>();
  private etags = 0;

  constructor(readonly name = "memory") {}

  async get(partitionKey: string, rowKey: string): Promise<StoredRow | undefined> {
    const row = this.rows.get(partitionKey)?.get(rowKey);
    return row && { partitionKey, rowKey, etag: row.etag, timestamp: new Date(row.writtenAt).toISOString(), properties: { ...row.properties } };
  }

  async listPartition(partitionKey: string, options: { rowKeyPrefix?: string } = {}): Promise<StoredRow[]> {
    const partition = this.rows.get(partitionKey) ?? new Map();
    return [...partition.entries()]
      .filter(([rowKey]) => rowKey.startsWith(options.rowKeyPrefix ?? ""))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([rowKey, row]) => ({ partitionKey, rowKey, etag: row.etag, timestamp: new Date(row.writtenAt).toISOString(), properties: { ...row.properties } }));
  }

  async *listAll(): AsyncIterable<StoredRow> {
    for (const partitionKey of [...this.rows.keys()].sort()) yield* await this.listPartition(partitionKey);
  }

  async write(partitionKey: string, writes: readonly RowWrite[]): Promise<WrittenRow[]> {
    const partition = this.rows.get(partitionKey) ?? new Map();
    for (const w of writes) {
      const current = partition.get(w.rowKey);
      if (w.kind === "insert" && current) throw new RowConflictError(this.name, partitionKey, `row ${w.rowKey} exists`);
      if (w.kind === "replace" && current?.etag !== w.etag) throw new RowConflictError(this.name, partitionKey, `row ${w.rowKey} changed`);
    }
    const written = writes.map((w) => {
      const etag = this.nextEtag();
      partition.set(w.rowKey, { etag, properties: { ...w.properties }, writtenAt: Date.now() });
      return { rowKey: w.rowKey, etag };
    });
    this.rows.set(partitionKey, partition);
    return written;
  }

  async put(partitionKey: string, rowKey: string, properties: RowProperties): Promise<void> {
    const partition = this.rows.get(partitionKey) ?? new Map();
    partition.set(rowKey, { etag: this.nextEtag(), properties: { ...properties }, writtenAt: Date.now() });
    this.rows.set(partitionKey, partition);
  }

  async delete(partitionKey: string, rowKey: string): Promise<void> {
    this.rows.get(partitionKey)?.delete(rowKey);
  }

  async drop(): Promise<void> {
    this.rows.clear();
  }

  private nextEtag(): string {
    return `W/"${++this.etags}"`;
  }
}
