/**
 * Rebuilding a read model from scratch (`npm run projections:rebuild [name]`): every stream it is kept from is read
 * whole from the event store, in version order, folded by the same pure functions as the live consumer, and written
 * into a fresh table. Then the fresh rows are compared with the live ones; with `swap`, the live table is brought to
 * the rebuilt state while the live consumer keeps running:
 *
 *   a rebuilt row the live table lacks, or has at a lower or equal version with other contents, is written
 *   (conditionally on the ETag read: a row the consumer moved meanwhile is left to it);
 *   a live row at a higher version than the rebuilt one is newer than the scan: kept;
 *   a live row the rebuild did not produce is deleted, unless it was written after the rebuild started (its events
 *   came after the scan).
 */
import { isDeepStrictEqual } from "node:util";
import { fromStored } from "./projected-event.js";
import type { EventHistory } from "./event-history.js";
import type { ReadModel, RowOut } from "./read-models.js";
import { decodeView } from "./row-codec.js";
import { RowConflictError, type RowProperties, type RowStore, type StoredRow } from "./row-store.js";

export interface RebuildResult {
  readModel: string;
  streams: number;
  events: number;
  rows: number;
  elapsedMs: number;
}

export interface RowDifference {
  partitionKey: string;
  rowKey: string;
  kind: "missing" | "extra" | "different";
  live?: Record<string, unknown>;
  rebuilt?: Record<string, unknown>;
}

export interface Comparison {
  equal: boolean;
  liveRows: number;
  rebuiltRows: number;
  differences: RowDifference[];
}

export interface SwapResult {
  written: number;
  deleted: number;
  /** Live rows kept because they are newer than the rebuild (higher version, or written after it started). */
  keptNewer: number;
  /** Rows the live consumer changed between the read and the write: left to it. */
  raced: number;
}

const WRITES_IN_FLIGHT = 16;

export async function rebuildReadModel(model: ReadModel, history: EventHistory, fresh: RowStore, now: () => number = Date.now): Promise<RebuildResult> {
  const started = now();
  const replay = model.replay();
  let streams = 0;
  let events = 0;
  let rows = 0;
  const pending = new Set<Promise<void>>();
  const put = async (out: RowOut) => {
    const write = fresh.put(out.partitionKey, out.rowKey, out.properties).finally(() => pending.delete(write));
    pending.add(write);
    rows++;
    if (pending.size >= WRITES_IN_FLIGHT) await Promise.race(pending);
  };
  for await (const stored of history.streams(model.streamPrefix, model.otherStreams)) {
    streams++;
    events += stored.length;
    for (const out of replay.stream(stored.map(fromStored))) await put(out);
  }
  for (const out of replay.finish()) await put(out);
  await Promise.all(pending);
  return { readModel: model.name, streams, events, rows, elapsedMs: now() - started };
}

const keyOf = (row: { partitionKey: string; rowKey: string }) => `${row.partitionKey}\n${row.rowKey}`;

async function allRows(rows: RowStore): Promise<Map<string, StoredRow>> {
  const all = new Map<string, StoredRow>();
  for await (const row of rows.listAll()) all.set(keyOf(row), row);
  return all;
}

const contents = (properties: RowProperties) => decodeView<Record<string, unknown>>(properties);

export async function compareReadModels(live: RowStore, rebuilt: RowStore, maxDifferences = 20): Promise<Comparison> {
  const [liveRows, rebuiltRows] = await Promise.all([allRows(live), allRows(rebuilt)]);
  const differences: RowDifference[] = [];
  let count = 0;
  const note = (d: RowDifference) => {
    count++;
    if (differences.length < maxDifferences) differences.push(d);
  };
  for (const [key, row] of rebuiltRows) {
    const current = liveRows.get(key);
    const rebuiltView = contents(row.properties);
    if (!current) note({ partitionKey: row.partitionKey, rowKey: row.rowKey, kind: "missing", rebuilt: rebuiltView });
    else if (!isDeepStrictEqual(contents(current.properties), rebuiltView)) note({ partitionKey: row.partitionKey, rowKey: row.rowKey, kind: "different", live: contents(current.properties), rebuilt: rebuiltView });
  }
  for (const [key, row] of liveRows) if (!rebuiltRows.has(key)) note({ partitionKey: row.partitionKey, rowKey: row.rowKey, kind: "extra", live: contents(row.properties) });
  return { equal: count === 0, liveRows: liveRows.size, rebuiltRows: rebuiltRows.size, differences };
}

/** Brings `live` to the rebuilt state (see the header for what is kept); `startedAt` = when the rebuild began. */
export async function swapInRebuilt(live: RowStore, rebuilt: RowStore, startedAt: Date): Promise<SwapResult> {
  const [liveRows, rebuiltRows] = await Promise.all([allRows(live), allRows(rebuilt)]);
  const result: SwapResult = { written: 0, deleted: 0, keptNewer: 0, raced: 0 };
  for (const [key, row] of rebuiltRows) {
    const current = liveRows.get(key);
    if (current && isDeepStrictEqual(contents(current.properties), contents(row.properties))) continue;
    if (current && Number(current.properties.version) > Number(row.properties.version)) {
      result.keptNewer++;
      continue;
    }
    try {
      await live.write(row.partitionKey, [current ? { kind: "replace", rowKey: row.rowKey, etag: current.etag, properties: row.properties } : { kind: "insert", rowKey: row.rowKey, properties: row.properties }]);
      result.written++;
    } catch (err) {
      if (!(err instanceof RowConflictError)) throw err;
      result.raced++;
    }
  }
  for (const [key, row] of liveRows) {
    if (rebuiltRows.has(key)) continue;
    if (row.timestamp !== undefined && Date.parse(row.timestamp) >= startedAt.getTime()) {
      result.keptNewer++;
      continue;
    }
    await live.delete(row.partitionKey, row.rowKey);
    result.deleted++;
  }
  return result;
}
