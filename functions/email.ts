/**
 * The e-mail service (choreography: no one commands it) on the `email` subscription of the `events` topic:
 * one mail per purchase outcome, written to Table `mails`; its inbox makes a redelivered event a no-op.
 */
import { app, type InvocationContext } from "@azure/functions";
import { appServices } from "../src/app/app-services.js";
import { topology } from "../src/config.js";
import { correlationIdOf, logOutcome } from "./invocation-log.js";

app.serviceBusTopic("email", {
  connection: "ServiceBusConnection",
  topicName: topology.topics.events,
  subscriptionName: topology.subscriptions.email,
  handler: async (body: unknown, context: InvocationContext): Promise<void> => {
    const messageId = context.triggerMetadata?.messageId;
    const outcome = await appServices().email.handle(body, typeof messageId === "string" ? { messageId } : {});
    logOutcome(context, correlationIdOf(body), outcome.written ? `mail written for ${outcome.eventId}` : `mail for ${outcome.eventId} already written (${outcome.reason})`);
  },
});
