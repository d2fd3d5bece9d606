/**
 * Loads and saves one stream's state for the handlers: `load` starts from the latest snapshot (when it was taken of
 * the state's current shape) and folds the events after it, each read as the current version of its message
 * (upcast); `save` appends at the loaded version and, when the new version crosses a multiple of `snapshotEvery`,
 * writes a snapshot of the new state in the same commit.
 *
 *   const concerts: StreamDefinition<Concert, ConcertEventName> = {
 *     prefix: "concert-", eventNames: concertEventNames, snapshotSchemaVersion: 1,
 *     initial: () => undefined,
 *     evolve: (state, event) => evolveConcert(state, event),   // event: { name, data, message }
 *   };
 *   const loaded = await repository.load(concerts, concertId);   // { streamId, version, state }
 *   await repository.save(loaded, { events: [cloudEvent], outbox, inbox });
 */
import { type CatalogMessage, catalog, InvalidMessageError, type MessageData, type MessageName, upcastData } from "../events/catalog.js";
import type { CloudEvent } from "../events/envelope.js";
import type { CommitResult, EventStore, InboxEntry, OutboxMessage, StoredEvent } from "./event-store.js";

/** An event of the stream as the domain sees it: the catalog name, the data at the current version, the envelope. */
export type StreamEvent<N extends MessageName = MessageName> = { [K in N]: { name: K; data: MessageData<K>; message: CatalogMessage<K> } }[N];

export interface StreamDefinition<S, N extends MessageName = MessageName> {
  /** Stream id = prefix + id, e.g. `concert-`. */
  prefix: string;
  /** The event names the stream may hold; anything else found in it is an error, not silently skipped. */
  eventNames: readonly N[];
  initial(): S;
  evolve(state: S, event: StreamEvent<N>): S;
  /** Bump when the state's shape changes: older snapshots are then ignored and the stream replayed. */
  snapshotSchemaVersion: number;
}

export interface LoadedStream<S, N extends MessageName = MessageName> {
  definition: StreamDefinition<S, N>;
  streamId: string;
  /** The version the state includes (0: no events yet). */
  version: number;
  state: S;
  /** How many events were read and folded (after the snapshot, when one was used). */
  eventsRead: number;
  snapshotVersion?: number;
  /** Only when loaded with `inbox`: whether that consumer already handled that message in this stream. */
  handled?: boolean;
}

export interface LoadOptions {
  /** Also tell whether this consumer already handled this message here (read in the same query as the events). */
  inbox?: InboxEntry;
}

export interface Changes {
  events: readonly CloudEvent[];
  outbox?: readonly OutboxMessage[];
  inbox?: InboxEntry;
}

export interface SavedStream<S, N extends MessageName = MessageName> extends CommitResult {
  /** The stream after the commit, ready for another save. */
  loaded: LoadedStream<S, N>;
}

export class CorruptStreamError extends Error {
  constructor(streamId: string, version: number, reason: string) {
    super(`Stream ${streamId}, event ${version}: ${reason}`);
    this.name = "CorruptStreamError";
  }
}

export class StreamRepository {
  constructor(
    readonly store: EventStore,
    /** Snapshot every N events (EventStore__snapshotEvery); 0 turns snapshots off. */
    readonly snapshotEvery = 20,
  ) {}

  async load<S, N extends MessageName>(definition: StreamDefinition<S, N>, id: string, options: LoadOptions = {}): Promise<LoadedStream<S, N>> {
    const streamId = definition.prefix + id;
    const every = this.snapshotEvery;
    if (every <= 0) return this.loadAfter(definition, streamId, definition.initial(), 0, options);
    // One read: the snapshot row, the events a snapshot would stand for, and the inbox row. Most streams (a
    // purchase's, a payment's) never reach a snapshot and are read whole by it; a longer one takes a second read.
    const inbox = options.inbox ? { inbox: options.inbox } : {};
    const head = await this.store.readStream(streamId, { toVersion: every, snapshot: true, ...inbox });
    const snapshot = head.snapshot?.schemaVersion === definition.snapshotSchemaVersion ? head.snapshot : undefined;
    if (snapshot) {
      const state = (snapshot.state as { state: S }).state;
      const rest = await this.loadAfter(definition, streamId, state, snapshot.version, options);
      return { ...rest, snapshotVersion: snapshot.version };
    }
    let state = definition.initial();
    for (const stored of head.events) state = definition.evolve(state, toStreamEvent(definition, stored));
    const handled = head.handled === undefined ? {} : { handled: head.handled };
    const eventsRead = head.events.length;
    const loaded: LoadedStream<S, N> = { definition, streamId, version: head.version, state, eventsRead, ...handled };
    if (head.version < every) return loaded;
    // The stream goes on past what a snapshot would cover (none was written, or it was of an older shape).
    const rest = await this.loadAfter(definition, streamId, state, head.version, options);
    return { ...rest, eventsRead: loaded.eventsRead + rest.eventsRead, ...(head.handled ? { handled: true } : {}) };
  }

  /**
   * The stream's state as this repository last saw it, without a read (none here; LatestStateRepository keeps
   * them): a writer may decide from it, since its commit checks the version and the inbox anyway.
   */
  remembered<S, N extends MessageName>(
    _definition: StreamDefinition<S, N>,
    _id: string,
  ): LoadedStream<S, N> | undefined {
    return undefined;
  }

  /** `state` as of `afterVersion`, brought up to date with the events after it (and the inbox check, when asked). */
  protected async loadAfter<S, N extends MessageName>(definition: StreamDefinition<S, N>, streamId: string, state: S, afterVersion: number, options: LoadOptions): Promise<LoadedStream<S, N>> {
    const { version, events, handled } = await this.store.readStream(streamId, { afterVersion, ...(options.inbox ? { inbox: options.inbox } : {}) });
    for (const stored of events) state = definition.evolve(state, toStreamEvent(definition, stored));
    return { definition, streamId, version, state, eventsRead: events.length, ...(handled === undefined ? {} : { handled }) };
  }

  /** Appends at the loaded version; WrongExpectedVersionError when another writer got there first. */
  async save<S, N extends MessageName>(loaded: LoadedStream<S, N>, changes: Changes): Promise<SavedStream<S, N>> {
    const { definition, streamId } = loaded;
    let state = loaded.state;
    changes.events.forEach((event, i) => {
      state = definition.evolve(state, toStreamEvent(definition, { streamId, version: loaded.version + i + 1, event }));
    });
    const version = loaded.version + changes.events.length;
    const every = this.snapshotEvery;
    // Wrapped, so a state that is `undefined` (nothing yet) survives the JSON round trip too.
    const snapshot = every > 0 && Math.floor(version / every) > Math.floor(loaded.version / every) ? { version, schemaVersion: definition.snapshotSchemaVersion, state: { state } } : undefined;
    const result = await this.store.commit({
      streamId,
      expectedVersion: loaded.version,
      events: [...changes.events],
      ...(changes.outbox?.length ? { outbox: [...changes.outbox] } : {}),
      ...(changes.inbox ? { inbox: changes.inbox } : {}),
      ...(snapshot ? { snapshot } : {}),
    });
    return { ...result, loaded: { definition, streamId, version: result.version, state, eventsRead: 0 } };
  }
}

/** The stored event as the current version of its message (upcast), checked to belong to the stream's kind. */
export function toStreamEvent<N extends MessageName>(definition: StreamDefinition<unknown, N>, stored: StoredEvent): StreamEvent<N> {
  let upcast: { name: MessageName; data: unknown };
  try {
    upcast = upcastData(stored.event.type, stored.event.data);
  } catch (err) {
    if (err instanceof InvalidMessageError) throw new CorruptStreamError(stored.streamId, stored.version, err.message);
    throw err;
  }
  if (!(definition.eventNames as readonly MessageName[]).includes(upcast.name)) {
    throw new CorruptStreamError(stored.streamId, stored.version, `${upcast.name} is not an event of streams "${definition.prefix}*"`);
  }
  const message = { ...stored.event, type: catalog[upcast.name].type, data: upcast.data };
  return { name: upcast.name, data: upcast.data, message } as StreamEvent<N>;
}
