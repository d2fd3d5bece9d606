/**
 * The command bus's handlers: one function per subscription of the `commands` topic, each subscription filtered on
 * its command types (topology/servicebus.json), so each command has exactly one handler. Each settles its
 * own message (src/messaging/command-settlement.ts): a command the domain refuses for good, or a malformed one, is
 * dead-lettered at once with the refusal's code as reason; a handler that fails otherwise abandons the message, and
 * Service Bus redelivers it and dead-letters it after MaxDeliveryCount (`npm run sb dead-letters` and
 * /api/ops/dead-letters inspect and resubmit them). Without the preview settlement package (or with
 * Commands__deadLetterRefusals=false), every failure abandons.
 * IssueTickets meeting the ticketing provider's open circuit is the exception: it is sent again for later and the
 * delivery completes (src/services/ticketing-provider/command-deferral.ts).
 */
import { app, type InvocationContext } from "@azure/functions";
import { appServices } from "../src/app/app-services.js";
import { handleConcertCommand } from "../src/commands/concerts-handler.js";
import { handlePurchaseCommand } from "../src/commands/purchases-handler.js";
import { topology } from "../src/config.js";
import { commandTrigger, type CommandDelivery } from "../src/messaging/command-settlement.js";
import type { HandlingOutcome } from "../src/messaging/message-consumer.js";
import { handlePaymentCommand } from "../src/services/payment/payment-handler.js";
import {
  type DeferredOutcome,
  handleIssueTickets,
} from "../src/services/ticketing-provider/ticketing-provider-handler.js";
import { correlationIdOf, logOutcome } from "./invocation-log.js";

const connection = "ServiceBusConnection";
const topicName = topology.topics.commands;

type CommandOutcome = (HandlingOutcome | DeferredOutcome) & { command: string; messageId: string };

function describe(outcome: CommandOutcome): string {
  if (outcome.status === "deferred") {
    const again = `sent again as ${outcome.deferredAs} due ${outcome.retryAt}`;
    return `${outcome.command} ${outcome.messageId} deferred: ticketing provider circuit open, ${again}`;
  }
  const where = outcome.status === "duplicate" ? outcome.streamId : `${outcome.streamId}@${outcome.version}`;
  const events = outcome.status === "handled" ? `: ${outcome.events.map((e) => e.type.split(".").at(-2)).join(", ") || "no events"}` : "";
  return `${outcome.command} ${outcome.messageId} ${outcome.status} -> ${where}${events}`;
}

type Handle = (body: unknown, context: InvocationContext, delivery: CommandDelivery) => Promise<CommandOutcome>;

function commandHandler(handle: Handle) {
  return commandTrigger<InvocationContext>(async (body, context, delivery) => {
    const outcome = await handle(body, context, delivery);
    logOutcome(context, correlationIdOf(body), describe(outcome));
  });
}

app.serviceBusTopic("concerts", {
  connection,
  topicName,
  subscriptionName: topology.subscriptions.concerts,
  ...commandHandler((body) => handleConcertCommand(body, appServices().handlers)),
});

app.serviceBusTopic("purchases", {
  connection,
  topicName,
  subscriptionName: topology.subscriptions.purchases,
  ...commandHandler((body) => handlePurchaseCommand(body, appServices().handlers)),
});

app.serviceBusTopic("payments", {
  connection,
  topicName,
  subscriptionName: topology.subscriptions.payments,
  ...commandHandler((body) => handlePaymentCommand(body, appServices().payments)),
});

app.serviceBusTopic("ticketing-provider", {
  connection,
  topicName,
  subscriptionName: topology.subscriptions.ticketingProvider,
  ...commandHandler((body, _context, delivery) => handleIssueTickets(body, appServices().ticketingProvider, delivery)),
});
