/**
 * The query side's read models (CQRS), kept by one consumer on the `projections` subscription of the `events`
 * topic: every event of the purchase and concert streams, applied to each read model that reads it
 * (src/projections/). The subscription has no sessions: the relay's session id is the purchase id even for a
 * concert's TicketsReserved, so sessions would not order a concert's stream anyway; each read model orders itself by
 * the source stream's version (gaps filled from the event store) and is safe under concurrent deliveries (ETag
 * writes), so deliveries run in parallel.
 */
import { app, type InvocationContext } from "@azure/functions";
import { appServices } from "../src/app/app-services.js";
import { topology } from "../src/config.js";
import { describeOutcome } from "../src/projections/projector.js";
import { correlationIdOf, logOutcome } from "./invocation-log.js";

app.serviceBusTopic("projections", {
  connection: "ServiceBusConnection",
  topicName: topology.topics.events,
  subscriptionName: topology.subscriptions.projections,
  handler: async (body: unknown, context: InvocationContext): Promise<void> => {
    const outcome = await appServices().projector.handle(body);
    logOutcome(context, correlationIdOf(body), describeOutcome(outcome));
  },
});
