/**
 * The issuing of a purchase's tickets, stream `ticket-issue-<purchaseId>`: TicketsIssued or TicketIssueFailed, from
 * the provider's answer. Pure and final, as the payment stream: once the outcome is in the stream, another
 * IssueTickets appends nothing and the provider is not called again.
 */
import type { MessageData } from "../../events/catalog.js";
import type { StreamDefinition, StreamEvent } from "../../eventstore/stream-repository.js";
import type { NewEvent } from "../../messaging/message-consumer.js";
import type { IssueOutcome } from "./ticketing-provider-client.js";

export type TicketIssueEventName = "TicketsIssued" | "TicketIssueFailed";
export const ticketIssueEventNames: readonly TicketIssueEventName[] = ["TicketsIssued", "TicketIssueFailed"];

export interface TicketIssueState {
  issued?: { ticketIds: string[]; providerReference: string };
  failed?: { detail: string };
}

export function evolveTicketIssue(state: TicketIssueState, event: StreamEvent<TicketIssueEventName>): TicketIssueState {
  return event.name === "TicketsIssued" ? { ...state, issued: { ticketIds: event.data.ticketIds, providerReference: event.data.providerReference } } : { ...state, failed: { detail: event.data.detail } };
}

export const ticketIssueStream: StreamDefinition<TicketIssueState, TicketIssueEventName> = {
  prefix: "ticket-issue-",
  eventNames: ticketIssueEventNames,
  snapshotSchemaVersion: 1,
  initial: () => ({}),
  evolve: evolveTicketIssue,
};

export function ticketsDecided(state: TicketIssueState): boolean {
  return Boolean(state.issued || state.failed);
}

export function decideIssue(state: TicketIssueState, command: MessageData<"IssueTickets">, outcome: IssueOutcome | undefined): NewEvent<TicketIssueEventName>[] {
  if (ticketsDecided(state)) return [];
  if (!outcome) throw new Error(`No provider answer for the tickets of purchase ${command.purchaseId}.`);
  return outcome.kind === "issued"
    ? [{ name: "TicketsIssued", data: { purchaseId: command.purchaseId, concertId: command.concertId, ticketIds: outcome.ticketIds, providerReference: outcome.reference } }]
    : [{ name: "TicketIssueFailed", data: { purchaseId: command.purchaseId, concertId: command.concertId, reason: "tickets-unavailable", detail: outcome.detail.slice(0, 500) } }];
}
