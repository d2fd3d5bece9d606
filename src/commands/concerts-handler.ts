/**
 * The `concerts` subscription of the `commands` topic: ScheduleConcert, ReserveTickets and ReleaseTickets on
 * stream `concert-<concertId>`. Many purchases reserve on one concert at once, so writers collide: the runner
 * reloads and decides again on a version conflict, and this handler allows more tries than the default, because
 * each collision is a purchase that got its answer. Past those, the conflict is thrown and Service Bus redelivers.
 *
 * A refused command (DomainError, e.g. ConcertNotFound) and a message that is not a concert command
 * (InvalidMessageError) are thrown too: redelivery cannot fix them, so they end in the dead-letter queue after
 * MaxDeliveryCount, where an operator can inspect and resubmit them.
 */
import { type ConcertCommand, concertCommandNames, type ConcertCommandName, decideConcert } from "../domain/concert.js";
import { readMessage } from "../events/catalog.js";
import type { HandlingOutcome } from "../messaging/message-consumer.js";
import { type HandlerDeps, runnerFor } from "./handler-deps.js";
import { concertStream } from "./streams.js";

export const concertsConsumerName = "concerts";

export type CommandOutcome<N extends string> = HandlingOutcome & { command: N; messageId: string };

export async function handleConcertCommand(body: unknown, deps: HandlerDeps): Promise<CommandOutcome<ConcertCommandName>> {
  const { name, message } = readMessage(body, concertCommandNames);
  const command = { name, data: message.data } as ConcertCommand;
  const { consumer } = runnerFor(deps, { maxAttempts: 20 });
  const outcome = await consumer.handle({
    consumer: concertsConsumerName,
    message,
    stream: concertStream,
    id: command.data.concertId,
    decide: (state, { now }) => ({ events: decideConcert(state, command, now) }),
  });
  return { ...outcome, command: name, messageId: message.id };
}
