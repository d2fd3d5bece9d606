/**
 * What a message handler needs, as ports: the event store, where committed outbox records go right away (the
 * relay; the sweeper delivers whatever this misses), the clock, and the snapshot interval. The functions build
 * these once from the settings (src/app/) and pass them to every call.
 */
import type { EventStore, OutboxRecord } from "../eventstore/event-store.js";
import { StreamRepository } from "../eventstore/stream-repository.js";
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
  const repository = defaults.repository ?? new StreamRepository(deps.store, deps.snapshotEvery ?? 20);
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
