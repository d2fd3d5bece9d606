/**
 * A StreamRepository that remembers the last state it loaded or saved of each stream and, on the next load, reads
 * only the events after it, instead of the snapshot and the events after the snapshot. For a hot stream that
 * one process writes over and over (a concert under a rush of reservations) that is one Table Storage round trip
 * instead of two, and no parse of a snapshot that grows with every purchase. Always as fresh as a plain load:
 * whatever another instance committed meanwhile is read and folded; a failed save forgets the stream.
 */
import type { MessageName } from "../events/catalog.js";
import type { EventStore } from "../eventstore/event-store.js";
import { type Changes, type LoadedStream, type LoadOptions, type SavedStream, type StreamDefinition, StreamRepository } from "../eventstore/stream-repository.js";

export class LatestStateRepository extends StreamRepository {
  private readonly latest = new Map<string, LoadedStream<unknown, MessageName>>();

  constructor(
    store: EventStore,
    snapshotEvery?: number,
    /** Streams remembered at most; the least recently used is forgotten first. */
    private readonly capacity = 1000,
  ) {
    super(store, snapshotEvery);
  }

  override async load<S, N extends MessageName>(definition: StreamDefinition<S, N>, id: string, options: LoadOptions = {}): Promise<LoadedStream<S, N>> {
    const streamId = definition.prefix + id;
    const known = this.latest.get(streamId) as LoadedStream<S, N> | undefined;
    if (!known || known.definition !== definition) return this.remember(await super.load(definition, id, options));
    return this.remember(await this.loadAfter(definition, streamId, known.state, known.version, options));
  }

  override remembered<S, N extends MessageName>(
    definition: StreamDefinition<S, N>,
    id: string,
  ): LoadedStream<S, N> | undefined {
    const known = this.latest.get(definition.prefix + id) as LoadedStream<S, N> | undefined;
    if (known?.definition !== definition) return undefined;
    // Whether a message was handled was the answer for the read that remembered it, not for the next message.
    const { handled: _, ...state } = known;
    return state;
  }

  override async save<S, N extends MessageName>(loaded: LoadedStream<S, N>, changes: Changes): Promise<SavedStream<S, N>> {
    try {
      const saved = await super.save(loaded, changes);
      this.remember(saved.loaded);
      return saved;
    } catch (err) {
      this.latest.delete(loaded.streamId);
      throw err;
    }
  }

  private remember<S, N extends MessageName>(loaded: LoadedStream<S, N>): LoadedStream<S, N> {
    this.latest.delete(loaded.streamId); // re-inserted last: a Map iterates in insertion order
    this.latest.set(loaded.streamId, loaded as LoadedStream<unknown, MessageName>);
    if (this.latest.size > this.capacity) this.latest.delete(this.latest.keys().next().value!);
    return loaded;
  }
}
