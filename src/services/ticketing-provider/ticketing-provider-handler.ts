/**
 * The `ticketing-provider` subscription of the `commands` topic: IssueTickets -> a call to the third-party provider
 * (retried with backoff inside the client) -> TicketsIssued, or TicketIssueFailed when the provider has no tickets
 * (409), on stream `ticket-issue-<purchaseId>`. When the provider stays unavailable the client's error is thrown, so
 * Service Bus redelivers the command later and dead-letters it after MaxDeliveryCount. The provider issues the same
 * tickets for the same purchase, and the stream keeps the first outcome, so a redelivery has no second effect.
 */
import { readMessage } from "../../events/catalog.js";
import { type HandlerDeps, runnerFor } from "../../commands/handler-deps.js";
import type { HandlingOutcome } from "../../messaging/message-consumer.js";
import { decideIssue, ticketIssueStream, ticketsDecided } from "./ticket-issue-stream.js";
import type { IssueOutcome, TicketingProviderClient } from "./ticketing-provider-client.js";

export const ticketingProviderConsumerName = "ticketing-provider";

export interface TicketingProviderHandlerDeps extends HandlerDeps {
  provider: TicketingProviderClient;
}

export type IssueTicketsOutcome = HandlingOutcome & { command: "IssueTickets"; messageId: string };

export async function handleIssueTickets(body: unknown, deps: TicketingProviderHandlerDeps): Promise<IssueTicketsOutcome> {
  const { message } = readMessage(body, ["IssueTickets"]);
  const { repository, consumer } = runnerFor(deps);
  const data = message.data;
  const before = await repository.load(ticketIssueStream, data.purchaseId);
  const headers: Record<string, string> = { "x-correlation-id": message.correlationid, ...(message.traceparent ? { traceparent: message.traceparent } : {}) };
  const outcome: IssueOutcome | undefined = ticketsDecided(before.state)
    ? undefined
    : await deps.provider.issueTickets({ purchaseId: data.purchaseId, concertId: data.concertId, tier: data.tier, quantity: data.quantity, fan: data.fan }, headers);
  const handled = await consumer.handle({ consumer: ticketingProviderConsumerName, message, stream: ticketIssueStream, id: data.purchaseId, decide: (state) => ({ events: decideIssue(state, data, outcome) }) });
  return { ...handled, command: "IssueTickets", messageId: message.id };
}
