/**
 * The fans service: its public API (anonymous here, like the purchase API) and its command handler. src/fans/ does
 * the work.
 *   POST /api/fans          register a fan: 202 Accepted + Location, or problem+json
 *   PUT  /api/fans/{id}     replace the fan's profile: 202 Accepted + Location, or problem+json (404 unknown fan)
 *   GET  /api/fans/{id}     the fan's profile (the e-mail service calls it back for FanRegistered), or 404
 *   `fans` subscription of `commands`: RegisterFan, UpdateFanProfile -> stream fan-<fanId>
 * Stopping the fans API as in Azure: the app settings `AzureWebJobs.fans-get.Disabled=true` (and the same for the
 * other functions) take a function out of the host; its route then answers 404.
 */
import { app, type InvocationContext } from "@azure/functions";
import { appServices } from "../src/app/app-services.js";
import { topology } from "../src/config.js";
import { getFan, postFan, putFan } from "../src/fans/fan-endpoints.js";
import { handleFanCommand } from "../src/fans/fans-handler.js";
import { endpoint } from "./http-endpoint.js";
import { correlationIdOf, logOutcome } from "./invocation-log.js";

app.post("fans-register", { route: "fans", authLevel: "anonymous", handler: endpoint("POST /api/fans", postFan) });

app.put("fans-update", { route: "fans/{id}", authLevel: "anonymous", handler: endpoint("PUT /api/fans/{id}", putFan) });

app.get("fans-get", { route: "fans/{id}", authLevel: "anonymous", handler: endpoint("GET /api/fans/{id}", getFan) });

app.serviceBusTopic("fans", {
  connection: "ServiceBusConnection",
  topicName: topology.topics.commands,
  subscriptionName: topology.subscriptions.fans,
  handler: async (body: unknown, context: InvocationContext): Promise<void> => {
    const outcome = await handleFanCommand(body, appServices().handlers);
    const where = outcome.status === "duplicate" ? outcome.streamId : `${outcome.streamId}@${outcome.version}`;
    const events = outcome.status === "handled" ? `: ${outcome.events.map((e) => e.type.split(".").at(-2)).join(", ")}` : "";
    logOutcome(context, correlationIdOf(body), `${outcome.command} ${outcome.messageId} ${outcome.status} -> ${where}${events}`);
  },
});
