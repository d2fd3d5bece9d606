/**
 * What a message handler needs, as ports: the event store, where committed outbox records go right away (the
 * relay; the sweeper delivers whatever this misses), the clock, and the snapshot interval. The functions build
 * these once from the settings (src/app/) and pass them to every call.
 */
import type { EventStore, OutboxRecord } from "../eventstore/event-store.js";
import type { StreamRepository } from "../eventstore/stream-repository.js";
import { LatestStateRepository } from "./latest-state-repository.js";
import { MessageConsumer, type OutboxDelivery } from "../messaging/message-consumer.js";

export interface HandlerDeps {
  store: EventStore;
  relay?: OutboxDelivery;
  now?: () => Date;
  /** EventStore__snapshotEvery (default 20; 0 turns snapshots off). */
  snapshotEvery?: number;
  /** Tries when concurrent writers keep winning on the same stream before the message is left to redelivery. */
  maxAttempts?: number;
  onRelayError?: (error: unknown, records: readonly OutboxRecord[]) => void;
}

export function runnerFor(deps: HandlerDeps, defaults: { maxAttempts?: number; repository?: StreamRepository } = {}): { repository: StreamRepository; consumer: MessageConsumer } {
  const repository = defaults.repository ?? sharedRepository(deps);
  const maxAttempts = deps.maxAttempts ?? defaults.maxAttempts;
  const consumer = new MessageConsumer({
    repository,
    ...(deps.relay ? { relay: deps.relay } : {}),
    ...(deps.now ? { now: deps.now } : {}),
    ...(maxAttempts === undefined ? {} : { maxAttempts }),
    ...(deps.onRelayError ? { onRelayError: deps.onRelayError } : {}),
  });
  return { repository, consumer };
}

const repositories = new WeakMap<EventStore, LatestStateRepository>();

/**
 * One repository per event store in this process, remembering the streams' latest states, so the handler that
 * handles a stream's next message loads it with one query for the events after what it saved (a purchase, its
 * process and its payment are each handled several times, mostly by the same worker). Measured in the purchases
 * bench: the snapshot reads were a fifth of all the storage requests of a purchase.
 */
export function sharedRepository(deps: Pick<HandlerDeps, "store" | "snapshotEvery">): LatestStateRepository {
  let repository = repositories.get(deps.store);
  if (!repository || repository.snapshotEvery !== (deps.snapshotEvery ?? 20)) {
    repository = new LatestStateRepository(deps.store, deps.snapshotEvery ?? 20, 5_000);
    repositories.set(deps.store, repository);
  }
  return repository;
}

/**
 * The repository the handlers of this process share, for a read outside a handler (a POST checking that tickets are
 * left): it reads only the events after the state it already holds. Made with the default snapshot interval when
 * no handler has run yet.
 */
export function sharedReader(store: EventStore): LatestStateRepository {
  return repositories.get(store) ?? sharedRepository({ store });
}
