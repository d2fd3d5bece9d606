/**
 * The purchase process (orchestration saga) on the session-enabled `purchase-process` subscription of the `events`
 * topic: session id = purchase id, so one purchase's messages (its events and its ReservationExpired timeout) are
 * handled one at a time, in order, while other purchases proceed in parallel.
 */
import { app, type InvocationContext } from "@azure/functions";
import { appServices } from "../src/app/app-services.js";
import { topology } from "../src/config.js";
import { handlePurchaseProcessMessage } from "../src/sagas/purchase-process-handler.js";
import { correlationIdOf, logOutcome } from "./invocation-log.js";

app.serviceBusTopic("purchase-process", {
  connection: "ServiceBusConnection",
  topicName: topology.topics.events,
  subscriptionName: topology.subscriptions.purchaseProcess,
  isSessionsEnabled: true,
  handler: async (body: unknown, context: InvocationContext): Promise<void> => {
    const outcome = await handlePurchaseProcessMessage(body, appServices().purchaseProcess);
    const sent = outcome.status === "handled" ? outcome.outbox.map((r) => r.message.type.split(".").at(-2)).join(", ") : "";
    logOutcome(context, correlationIdOf(body), `${outcome.handled} ${outcome.messageId} ${outcome.status} -> ${outcome.streamId}${sent ? `; sent ${sent}` : ""}`);
  },
});
