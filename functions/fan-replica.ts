/**
 * The ticketing side's replica of the fans' profiles (event-carried state transfer), on the `fan-replica`
 * subscription of the `events` topic: FanProfileUpdated -> Table `fanreplica`, when newer than the copy. Purchases
 * by fanId read the copy, so they never depend on the fans service being up.
 */
import { app, type InvocationContext } from "@azure/functions";
import { appServices } from "../src/app/app-services.js";
import { topology } from "../src/config.js";
import { handleFanProfileUpdated } from "../src/fans/replica/fan-replica-handler.js";
import { logOutcome } from "./invocation-log.js";

app.serviceBusTopic("fan-replica", {
  connection: "ServiceBusConnection",
  topicName: topology.topics.events,
  subscriptionName: topology.subscriptions.fanReplica,
  handler: async (body: unknown, context: InvocationContext): Promise<void> => {
    const update = await handleFanProfileUpdated(body, appServices().fanReplica);
    const what = update.applied ? `applied v${update.streamVersion}` : `skipped v${update.streamVersion} (replica at v${update.replicaVersion})`;
    logOutcome(context, update.correlationId, `fan ${update.fanId} ${what} from ${update.eventId}`);
  },
});
