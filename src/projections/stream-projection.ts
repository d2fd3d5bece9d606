/**
 * A read model kept from one kind of stream (purchase-*, concert-*): a pure fold of the stream's events into a view
 * per row, and the writer that applies one event to its row, ordered and idempotent per stream:
 *
 *   the row remembers `version`, the version of the source stream it reflects;
 *   an event at or below it is a duplicate or late: skipped;
 *   the next version (last + 1): folded in;
 *   a gap (a later event arrived first, or the row is new and the event is not the stream's first): the missing
 *   events are read from the event store and folded in order, up to the stream's current version.
 *
 * Several instances may apply events of one stream at once (the subscription has no sessions): every write is
 * conditional (insert, or replace with the ETag read), and a lost race reads the row again and decides again, so the
 * row only ever moves forward and never skips an event.
 */
import type { MessageName } from "../events/catalog.js";
import type { EventStore } from "../eventstore/event-store.js";
import { fromStored, type ProjectedEvent } from "./projected-event.js";
import { decodeView, encodeView } from "./row-codec.js";
import { noRowCache, type RowCache } from "./row-cache.js";
import { RowConflictError, type RowStore } from "./row-store.js";

export interface RowKey {
  partitionKey: string;
  rowKey: string;
}

export interface StreamProjection<V extends object = object, N extends MessageName = MessageName> {
  /** The read model's name (`npm run projections:rebuild <name>`). */
  readonly name: string;
  /** Its Table Storage table. */
  readonly table: string;
  /** The streams it reads: stream id = prefix + id. */
  readonly streamPrefix: string;
  /** Streams whose ids also start with the prefix but are another kind (purchase-process-* next to purchase-*). */
  readonly otherStreams?: readonly string[];
  /** The stream an event of this projection must come from (its data names it), so a look-alike stream is ignored. */
  streamIdOf(event: ProjectedEvent<N>): string;
  /** Every event those streams hold (each moves the row's version, even when the view ignores it). */
  readonly eventNames: readonly N[];
  /** The row an event of the stream goes to. */
  rowOf(event: ProjectedEvent<N>): RowKey;
  /** The view after `event` (undefined before the stream's first event). Pure. */
  evolve(view: V | undefined, event: ProjectedEvent<N>): V;
}

/** A row of a stream read model: the view plus the stream it reflects and at which version. */
export type Versioned<V> = V & { streamId: string; version: number };

export type ApplyOutcome =
  | { status: "applied"; version: number; attempts: number }
  /** The gap before the event was filled from the event store; `read` events were folded. */
  | { status: "caught-up"; version: number; read: number; attempts: number }
  /** The row already reflects the event (a redelivery, or a later event filled the gap first). */
  | { status: "skipped"; version: number; attempts: number };

const MAX_ATTEMPTS = 10;

export function isProjectedBy<N extends MessageName>(projection: StreamProjection<object, N>, event: ProjectedEvent): boolean {
  return (projection.eventNames as readonly MessageName[]).includes(event.name) && event.streamId === projection.streamIdOf(event as ProjectedEvent<N>);
}

/** Folds a whole stream (its events in version order) into its rows: what a rebuild does per stream. */
export function foldStream<V extends object, N extends MessageName>(projection: StreamProjection<V, N>, events: readonly ProjectedEvent[]): Map<string, { key: RowKey; row: Versioned<V> }> {
  const rows = new Map<string, { key: RowKey; row: Versioned<V> }>();
  for (const event of events) {
    if (!isProjectedBy(projection, event)) continue;
    const e = event as ProjectedEvent<N>;
    const key = projection.rowOf(e);
    const id = `${key.partitionKey}\n${key.rowKey}`;
    const current = rows.get(id)?.row;
    if (current && e.version <= current.version) continue;
    rows.set(id, { key, row: { ...projection.evolve(current && viewOf(current), e), streamId: e.streamId, version: e.version } });
  }
  return rows;
}

export function viewOf<V>(row: Versioned<V>): V {
  const { streamId: _s, version: _v, ...view } = row;
  return view as V;
}

export async function readRow<V>(rows: RowStore, key: RowKey): Promise<{ row: Versioned<V>; etag: string } | undefined> {
  const stored = await rows.get(key.partitionKey, key.rowKey);
  return stored && { row: decodeView<Versioned<V>>(stored.properties), etag: stored.etag };
}

/**
 * Applies events of one row (one stream) in one conditional write: the events that arrived together for a busy row
 * (a concert's reservations) cost one read and one write instead of one race each. Outcomes in the events' order.
 *
 * The first try reads nothing when it need not (row-cache.ts): a row this worker wrote last is replaced with the ETag
 * that write returned, and a stream's first event inserts its row. Either guess, when wrong, fails the conditional
 * write; the next try reads the row.
 */
export async function applyStreamEvents<V extends object, N extends MessageName>(
  projection: StreamProjection<V, N>,
  rows: RowStore,
  store: Pick<EventStore, "readStream">,
  events: readonly ProjectedEvent<N>[],
  cache: RowCache = noRowCache,
): Promise<ApplyOutcome[]> {
  const key = projection.rowOf(events[0]);
  const streamId = events[0].streamId;
  const byVersion = [...events].sort((a, b) => a.version - b.version);
  const newest = byVersion[byVersion.length - 1];
  let guess = true;
  for (let attempt = 1; ; attempt++) {
    const guessed = guess ? guessRow<V>(rows, key, cache, byVersion[0].version) : undefined;
    const current = guessed ? guessed.current : await readRow<V>(rows, key);
    const last = current?.row.version ?? 0;
    if (newest.version <= last) {
      // Skipping on a guess could skip for good: confirm it with the row itself.
      if (guessed) {
        guess = false;
        continue;
      }
      return events.map(() => ({ status: "skipped", version: last, attempts: attempt }));
    }
    let view = current && viewOf(current.row);
    let version = last;
    let read = 0;
    for (const event of byVersion) {
      if (event.version <= version) continue;
      if (event.version === version + 1) {
        view = projection.evolve(view, event);
        version = event.version;
        continue;
      }
      // A gap: the events in between from the store, up to the stream's current version (covering the rest).
      const missing = await store.readStream(streamId, { afterVersion: version });
      if (missing.version < event.version) throw new Error(`${projection.name}: the event store has ${streamId} at version ${missing.version}, below event ${event.id}`);
      for (const stored of missing.events) {
        const e = fromStored(stored);
        if (isProjectedBy(projection, e)) view = projection.evolve(view, e as ProjectedEvent<N>);
        version = stored.version;
        read++;
      }
    }
    const properties = encodeView({ ...view!, streamId, version });
    try {
      const [written] = await rows.write(key.partitionKey, [current ? { kind: "replace", rowKey: key.rowKey, etag: current.etag, properties } : { kind: "insert", rowKey: key.rowKey, properties }]);
      cache.set(rows.name, key.partitionKey, key.rowKey, written?.etag, properties);
      return events.map((e): ApplyOutcome => (e.version <= last ? { status: "skipped", version: last, attempts: attempt } : read > 0 ? { status: "caught-up", version, read, attempts: attempt } : { status: "applied", version, attempts: attempt }));
    } catch (err) {
      cache.forget(rows.name, key.partitionKey, key.rowKey);
      await afterConflict(err, attempt, MAX_ATTEMPTS, guessed !== undefined);
      guess = false;
    }
  }
}

/**
 * What the first try may assume without reading: the row as this worker last wrote it, or no row at all when the
 * events start at the stream's first. Undefined: nothing to assume, read the row.
 */
function guessRow<V>(rows: RowStore, key: RowKey, cache: RowCache, oldestVersion: number): { current: { row: Versioned<V>; etag: string } | undefined } | undefined {
  const cached = cache.get(rows.name, key.partitionKey, key.rowKey);
  if (cached) return { current: { row: decodeView<Versioned<V>>(cached.properties), etag: cached.etag } };
  if (oldestVersion === 1) return { current: undefined };
  return undefined;
}

/**
 * After a failed conditional write: rethrows anything but a conflict, and a conflict past `maxAttempts`. A wrong
 * guess (row-cache.ts) is no race, so the next try reads at once; after a lost race it waits a little first.
 */
export async function afterConflict(err: unknown, attempt: number, maxAttempts: number, wasGuess: boolean): Promise<void> {
  if (!(err instanceof RowConflictError) || attempt >= maxAttempts) throw err;
  if (!wasGuess) await backOff(attempt);
}

/** After a lost race: a random pause that grows with the attempts, so racing writers fall out of step. */
export function backOff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(200, 5 * 2 ** attempt)));
}
