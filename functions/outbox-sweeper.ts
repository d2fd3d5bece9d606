/**
 * The outbox sweeper, every 30 s: publishes the outbox records a crash or an unreachable destination left pending
 * (older than Outbox__sweepGracePeriod, so it does not race the relay of a commit being delivered right now).
 */
import { app, type InvocationContext, type Timer } from "@azure/functions";
import { appServices } from "../src/app/app-services.js";

app.timer("outbox-sweeper", {
  schedule: "*/30 * * * * *",
  handler: async (_timer: Timer, context: InvocationContext): Promise<void> => {
    const report = await appServices().sweeper.sweep();
    if (report.found > 0) context.log(`outbox sweep: ${report.found} pending, ${report.sent} sent, ${report.failed} left for the next sweep`);
  },
});
