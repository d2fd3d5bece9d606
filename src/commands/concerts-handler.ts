/**
 * The `concerts` subscription of the `commands` topic: ScheduleConcert, ReserveTickets and ReleaseTickets on
 * stream `concert-<concertId>`. Many purchases reserve on one concert at once. Within one process the commands
 * of a concert take turns (a keyed lock), since only one of them can commit at a version anyway (40 concurrent
 * reservations on Azurite, busy 2-core machine: 9-12 s colliding, 0.5-1.7 s taking turns), and each starts from
 * the state the previous one left (LatestStateRepository reads only the events after it). Across instances
 * writers still collide: the
 * runner reloads and decides again on a version conflict, and this handler allows more tries than the default,
 * because each collision is a purchase that got its answer. Past those, the conflict is thrown and Service Bus
 * redelivers.
 *
 * A refused command (DomainError, e.g. ConcertNotFound) and a message that is not a concert command
 * (InvalidMessageError) are thrown too: redelivery cannot fix them, so they end in the dead-letter queue after
 * MaxDeliveryCount, where an operator can inspect and resubmit them.
 */
import { type ConcertCommand, concertCommandNames, type ConcertCommandName, decideConcert } from "../domain/concert.js";
import AsyncLock from "async-lock";
import { readMessage } from "../events/catalog.js";
import type { EventStore } from "../eventstore/event-store.js";
import type { HandlingOutcome } from "../messaging/message-consumer.js";
import { type HandlerDeps, runnerFor } from "./handler-deps.js";
import { concertStream } from "./streams.js";

export const concertsConsumerName = "concerts";

export type CommandOutcome<N extends string> = HandlingOutcome & { command: N; messageId: string };

export async function handleConcertCommand(body: unknown, deps: HandlerDeps): Promise<CommandOutcome<ConcertCommandName>> {
  const { name, message } = readMessage(body, concertCommandNames);
  const command = { name, data: message.data } as ConcertCommand;
  const { consumer } = runnerFor(deps, { maxAttempts: 20 });
  const outcome = await lockFor(deps.store).acquire(command.data.concertId, () =>
    consumer.handle({
      consumer: concertsConsumerName,
      message,
      stream: concertStream,
      id: command.data.concertId,
      decide: (state, { now }) => ({ events: decideConcert(state, command, now) }),
    }),
  );
  return { ...outcome, command: name, messageId: message.id };
}

/** One lock per event store in this process: one concert's commands are handled one at a time here. */
const locks = new WeakMap<EventStore, AsyncLock>();

function lockFor(store: EventStore): AsyncLock {
  let lock = locks.get(store);
  if (!lock) {
    lock = new AsyncLock({ maxPending: Infinity });
    locks.set(store, lock);
  }
  return lock;
}
