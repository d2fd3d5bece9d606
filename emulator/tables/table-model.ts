/**
 * The tables and their entities, in memory, with Table Storage's rules: keys unique per table, ETags for optimistic
 * concurrency (If-Match), replace / merge / upsert, queries in PartitionKey-then-RowKey order with continuation.
 * Writes are planned first (checked against the current state, nothing changed) and then applied as a list of
 * changes; that list is what the journal makes durable, and an entity-group transaction is one such list, so it
 * applies and survives whole or not at all. No I/O here.
 */
import { etagFor, type StoredEntity, type TypedValue } from "./entity.js";
import { TableError } from "./errors.js";
import { type KeyRange, rowKeyRanges } from "./key-ranges.js";
import { type FilterNode, matches, pinnedPartition } from "./odata-filter.js";
import { ordinal, SortedKeys } from "./sorted-keys.js";

export type Change =
  | { t: "createTable"; table: string }
  | { t: "deleteTable"; table: string }
  | { t: "put"; table: string; entity: StoredEntity }
  | { t: "delete"; table: string; partitionKey: string; rowKey: string };

class Table {
  readonly partitions = new Map<string, Map<string, StoredEntity>>();
  /** Key orders, built on a first scan and kept up to date by every write after it. */
  private sortedPartitions: SortedKeys | undefined;
  private readonly sortedRows = new Map<string, SortedKeys>();

  constructor(readonly name: string) {}

  get(partitionKey: string, rowKey: string): StoredEntity | undefined {
    return this.partitions.get(partitionKey)?.get(rowKey);
  }

  put(entity: StoredEntity): void {
    let partition = this.partitions.get(entity.partitionKey);
    if (!partition) {
      partition = new Map();
      this.partitions.set(entity.partitionKey, partition);
      this.sortedPartitions?.add(entity.partitionKey);
    }
    if (!partition.has(entity.rowKey)) this.sortedRows.get(entity.partitionKey)?.add(entity.rowKey);
    partition.set(entity.rowKey, entity);
  }

  delete(partitionKey: string, rowKey: string): void {
    const partition = this.partitions.get(partitionKey);
    if (!partition?.delete(rowKey)) return;
    this.sortedRows.get(partitionKey)?.remove(rowKey);
    if (partition.size === 0) {
      this.partitions.delete(partitionKey);
      this.sortedRows.delete(partitionKey);
      this.sortedPartitions?.remove(partitionKey);
    }
  }

  /**
   * Entities in key order, from (partitionKey, rowKey) on, in one partition when `only` is given, and only rows
   * within `rows` (every row when absent). Reads the key orders in place: consume it before the next write.
   */
  *scan(from: QueryPage["next"], only: string | undefined, rows?: KeyRange[]): Iterable<StoredEntity> {
    let partitionKeys: Iterable<string>;
    if (only !== undefined) partitionKeys = this.partitions.has(only) ? [only] : [];
    else {
      this.sortedPartitions ??= new SortedKeys(this.partitions.keys());
      partitionKeys = this.sortedPartitions.range(from?.partitionKey, undefined);
    }
    for (const pk of partitionKeys) {
      if (from && pk < from.partitionKey) continue;
      const partition = this.partitions.get(pk);
      if (!partition) continue;
      let keys = this.sortedRows.get(pk);
      if (!keys) {
        keys = new SortedKeys(partition.keys());
        this.sortedRows.set(pk, keys);
      }
      const resumeAt = from && pk === from.partitionKey ? from.rowKey : undefined;
      for (const range of rows ?? [{}]) {
        const lo = resumeAt !== undefined && (range.lo === undefined || resumeAt > range.lo) ? resumeAt : range.lo;
        for (const rk of keys.range(lo, range.hi)) {
          const entity = partition.get(rk);
          if (entity) yield entity;
        }
      }
    }
  }
}

export interface QueryPage {
  entities: StoredEntity[];
  next?: { partitionKey: string; rowKey: string };
}

/** Azure answers at most 1,000 entities per page. */
export const MAX_PAGE = 1000;

const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;

export class TableModel {
  /** By lower-case name: table names are case-insensitive, and keep the case they were created with. */
  private readonly tables = new Map<string, Table>();
  private lastStamp = { ms: 0, sub: 0 };
  /** Entities queries have read (and tested against their filter) since start: what queries cost. */
  entitiesRead = 0;

  constructor(private readonly now: () => number) {}

  tableNames(): string[] {
    return [...this.tables.values()].map((t) => t.name).sort(ordinal);
  }

  private table(name: string): Table {
    const table = this.tables.get(name.toLowerCase());
    if (!table) throw TableError.tableNotFound();
    return table;
  }

  planCreateTable(name: string): Change {
    if (!TABLE_NAME.test(name) || name.toLowerCase() === "tables") throw TableError.invalidTableName();
    if (this.tables.has(name.toLowerCase())) throw TableError.tableAlreadyExists();
    return { t: "createTable", table: name };
  }

  planDeleteTable(name: string): Change {
    return { t: "deleteTable", table: this.table(name).name };
  }

  get(tableName: string, partitionKey: string, rowKey: string): StoredEntity {
    const entity = this.table(tableName).get(partitionKey, rowKey);
    if (!entity) throw TableError.entityNotFound();
    return entity;
  }

  /** A new Timestamp, later than every earlier one, so each write gets an ETag of its own. */
  private stamp(): { timestamp: string; etag: string } {
    const ms = this.now();
    const last = this.lastStamp;
    if (ms > last.ms) this.lastStamp = { ms, sub: 0 };
    else if (last.sub < 9999) this.lastStamp = { ms: last.ms, sub: last.sub + 1 };
    else this.lastStamp = { ms: last.ms + 1, sub: 0 };
    const iso = new Date(this.lastStamp.ms).toISOString();
    const timestamp = `${iso.slice(0, -1)}${String(this.lastStamp.sub).padStart(4, "0")}Z`;
    return { timestamp, etag: etagFor(timestamp) };
  }

  private remember(timestamp: string): void {
    const ms = Date.parse(timestamp);
    const sub = Number(/\.\d{3}(\d{4})Z$/.exec(timestamp)?.[1] ?? 0);
    if (ms > this.lastStamp.ms || (ms === this.lastStamp.ms && sub > this.lastStamp.sub)) this.lastStamp = { ms, sub };
  }

  private checkMatch(current: StoredEntity | undefined, ifMatch: string | undefined): void {
    if (ifMatch === undefined) return;
    if (!current) throw TableError.entityNotFound();
    if (ifMatch !== "*" && ifMatch !== current.etag) throw TableError.conditionNotSatisfied();
  }

  planInsert(
    tableName: string,
    partitionKey: string,
    rowKey: string,
    properties: Record<string, TypedValue>,
  ): Change & { t: "put" } {
    const table = this.table(tableName);
    if (table.get(partitionKey, rowKey)) throw TableError.entityAlreadyExists();
    return { t: "put", table: table.name, entity: { partitionKey, rowKey, ...this.stamp(), properties } };
  }

  /** Replace (or merge into) an entity; without If-Match it is an upsert: insert or replace / merge. */
  planUpdate(
    tableName: string,
    partitionKey: string,
    rowKey: string,
    properties: Record<string, TypedValue>,
    mode: "replace" | "merge",
    ifMatch: string | undefined,
  ): Change & { t: "put" } {
    const table = this.table(tableName);
    const current = table.get(partitionKey, rowKey);
    this.checkMatch(current, ifMatch);
    const merged = mode === "merge" && current ? { ...current.properties, ...properties } : properties;
    return { t: "put", table: table.name, entity: { partitionKey, rowKey, ...this.stamp(), properties: merged } };
  }

  planDelete(tableName: string, partitionKey: string, rowKey: string, ifMatch: string | undefined): Change {
    const table = this.table(tableName);
    const current = table.get(partitionKey, rowKey);
    if (!current) throw TableError.entityNotFound();
    this.checkMatch(current, ifMatch ?? "*");
    return { t: "delete", table: table.name, partitionKey, rowKey };
  }

  apply(change: Change): void {
    switch (change.t) {
      case "createTable":
        this.tables.set(change.table.toLowerCase(), new Table(change.table));
        return;
      case "deleteTable":
        this.tables.delete(change.table.toLowerCase());
        return;
      case "put": {
        const table = this.tables.get(change.table.toLowerCase());
        if (!table) return;
        table.put(change.entity);
        this.remember(change.entity.timestamp);
        return;
      }
      case "delete":
        this.tables.get(change.table.toLowerCase())?.delete(change.partitionKey, change.rowKey);
        return;
    }
  }

  query(tableName: string, filter: FilterNode | undefined, top: number, from: QueryPage["next"]): QueryPage {
    const table = this.table(tableName);
    const entities: StoredEntity[] = [];
    for (const entity of table.scan(from, pinnedPartition(filter), rowKeyRanges(filter))) {
      this.entitiesRead++;
      if (filter && !matches(filter, entity)) continue;
      if (entities.length === top) {
        return { entities, next: { partitionKey: entity.partitionKey, rowKey: entity.rowKey } };
      }
      entities.push(entity);
    }
    return { entities };
  }

  /** The whole state as changes that rebuild it (the journal's snapshot). */
  *snapshot(): Iterable<Change> {
    for (const table of this.tables.values()) {
      yield { t: "createTable", table: table.name };
      for (const entity of table.scan(undefined, undefined)) yield { t: "put", table: table.name, entity };
    }
  }
}
