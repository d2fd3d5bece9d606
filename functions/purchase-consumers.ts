/**
 * The Service Bus consumers of the purchases topic, one subscription each (SQL filters on `eventType` in
 * emulator/config/servicebus.json): payment and ticketing provider handle TicketPurchaseRequested; the purchase
 * process joins their outcomes. A handler that throws abandons the message; after the subscription's
 * MaxDeliveryCount it is dead-lettered, malformed events included.
 */
import { app, type InvocationContext } from "@azure/functions";
import { topology } from "../src/config.js";
import { readEvent } from "../src/events/catalog.js";
import { dependencies } from "./dependencies.js";

const connection = "ServiceBusConnection";
const topicName = topology.purchasesTopic;

app.serviceBusTopic("payment", {
  connection,
  topicName,
  subscriptionName: topology.subscriptions.payment,
  handler: async (message: unknown, context: InvocationContext) => {
    const { event } = readEvent(message, ["TicketPurchaseRequested"]);
    const outcome = await dependencies().payment.handle(event);
    context.log(`[correlationId=${event.correlationid}] payment for purchase ${event.data.purchaseId}: ${outcome.type}`);
  },
});

app.serviceBusTopic("ticketing-provider", {
  connection,
  topicName,
  subscriptionName: topology.subscriptions.ticketingProvider,
  handler: async (message: unknown, context: InvocationContext) => {
    const { event } = readEvent(message, ["TicketPurchaseRequested"]);
    const reserved = await dependencies().ticketingProvider.handle(event);
    context.log(`[correlationId=${event.correlationid}] ${reserved.data.ticketIds.length} ticket(s) reserved for purchase ${event.data.purchaseId}`);
  },
});

app.serviceBusTopic("purchase-process", {
  connection,
  topicName,
  subscriptionName: topology.subscriptions.purchaseProcess,
  handler: async (message: unknown, context: InvocationContext) => {
    const { name, event } = readEvent(message, ["PaymentAuthorized", "PaymentDeclined", "TicketsReserved"]);
    // The Functions host counts deliveries from 1 (the JS SDK's own deliveryCount starts at 0).
    const redelivered = Number(context.triggerMetadata?.deliveryCount ?? 1) > 1;
    const { purchase, published } = await dependencies().purchaseProcess.handle({ name, data: event.data } as never, { correlationId: event.correlationid, redelivered });
    context.log(`[correlationId=${event.correlationid}] purchase ${purchase.purchaseId} is ${purchase.status} after ${name}${published ? `; published ${published.type}` : ""}`);
  },
});
