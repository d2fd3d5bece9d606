/**
 * The `ticketing-provider` subscription of the `commands` topic: IssueTickets -> a call to the third-party provider
 * (retried with backoff inside the client) -> TicketsIssued, or TicketIssueFailed when the provider has no tickets
 * (409), on stream `ticket-issue-<purchaseId>`. When the provider stays unavailable the client's error is thrown, so
 * Service Bus redelivers the command later and dead-letters it after MaxDeliveryCount. The provider issues the same
 * tickets for the same purchase, and the stream keeps the first outcome, so a redelivery has no second effect.
 *
 * When the provider's circuit is open (provider-circuit-breaker.ts) the command is not thrown back: it is sent
 * again, due when the circuit lets a probe through (command-deferral.ts says why), and the delivery completes with
 * a `deferred` hop on the purchase's timeline.
 */
import { readMessage } from "../../events/catalog.js";
import { type HandlerDeps, runnerFor } from "../../commands/handler-deps.js";
import type { HandlingOutcome } from "../../messaging/message-consumer.js";
import { nowMs } from "../../clock.js";
import { settleOutcome } from "../../telemetry/message-processing.js";
import type { CommandDeferral } from "./command-deferral.js";
import { CircuitOpenError } from "./provider-circuit-breaker.js";
import { decideIssue, ticketIssueStream, ticketsDecided } from "./ticket-issue-stream.js";
import type { IssueOutcome, TicketingProviderClient } from "./ticketing-provider-client.js";

export const ticketingProviderConsumerName = "ticketing-provider";

export interface TicketingProviderHandlerDeps extends HandlerDeps {
  provider: TicketingProviderClient;
  /** Where a command that meets the open circuit goes for later; without it the CircuitOpenError is thrown. */
  deferral?: CommandDeferral;
}

/** The command was sent again as `deferredAs`, due at `retryAt`, because the provider's circuit is open. */
export type DeferredOutcome = { status: "deferred"; streamId: string; retryAt: string; deferredAs: string };

export type IssueTicketsOutcome = (HandlingOutcome | DeferredOutcome) & { command: "IssueTickets"; messageId: string };

export interface DeliveryFacts {
  /** The Service Bus MessageId of this delivery (a deferred copy's differs from the CloudEvent id). */
  messageId?: string;
}

export async function handleIssueTickets(
  body: unknown,
  deps: TicketingProviderHandlerDeps,
  delivery: DeliveryFacts = {},
): Promise<IssueTicketsOutcome> {
  const { message } = readMessage(body, ["IssueTickets"]);
  const { repository, consumer } = runnerFor(deps);
  const data = message.data;
  // With the inbox check: the runner decides from this read instead of reading the stream again.
  const inbox = { consumer: ticketingProviderConsumerName, messageId: message.id };
  const before = await repository.load(ticketIssueStream, data.purchaseId, { inbox });
  const headers: Record<string, string> = { "x-correlation-id": message.correlationid, ...(message.traceparent ? { traceparent: message.traceparent } : {}) };
  const { purchaseId, concertId, tier, quantity, fan } = data;
  const request = { purchaseId, concertId, tier, quantity, fan };
  let outcome: IssueOutcome | undefined;
  try {
    outcome = ticketsDecided(before.state) ? undefined : await deps.provider.issueTickets(request, headers);
  } catch (err) {
    if (!(err instanceof CircuitOpenError) || !deps.deferral) throw err;
    // Never in the past: a copy due at once would meet the same open circuit in a loop. The breaker keeps wall time
    // (cockatiel); the bus schedules on the app's clock, which the local emulator may have moved ahead: wait the same
    // span on the bus's time line.
    const waitMs = Math.max(err.retryAt.getTime() - Date.now(), 1_000);
    const retryAt = new Date(nowMs() + waitMs).toISOString();
    const deferredAs = await deps.deferral.defer(message, new Date(retryAt), delivery.messageId);
    const detail = `The ticketing provider's circuit is open: sent again as ${deferredAs}, due ${retryAt}.`;
    settleOutcome("deferred", { circuit: "open", retryAt, detail });
    const streamId = `${ticketIssueStream.prefix}${data.purchaseId}`;
    return { status: "deferred", streamId, retryAt, deferredAs, command: "IssueTickets", messageId: message.id };
  }
  const handled = await consumer.handle({ consumer: ticketingProviderConsumerName, message, stream: ticketIssueStream, id: data.purchaseId, loaded: before, decide: (state) => ({ events: decideIssue(state, data, outcome) }) });
  return { ...handled, command: "IssueTickets", messageId: message.id };
}
