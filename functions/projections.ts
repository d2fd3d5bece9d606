/**
 * The query side's read models (CQRS), kept by one consumer on the `projections` subscription of the `events`
 * topic: every event of the purchase and concert streams, applied to each read model that reads it
 * (src/projections/). The subscription has no sessions: the relay's session id is the purchase id even for a
 * concert's TicketsReserved, so sessions would not order a concert's stream anyway; each read model orders itself by
 * the source stream's version (gaps filled from the event store) and is safe under concurrent deliveries (ETag
 * writes), so deliveries run in parallel.
 *
 * Batches (cardinality many): the events of one batch that change the same row go in one write (a concert's
 * reservations, a purchase placed and completed), and the host's per-invocation cost is paid once per batch. A batch
 * with an event that fails is retried whole; what was applied is skipped the next time, as read models are
 * idempotent, and an event that keeps failing is dead-lettered with its batch-mates of that delivery.
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
  cardinality: "many",
  handler: async (bodies: unknown[], context: InvocationContext): Promise<void> => {
    const results = await Promise.allSettled(bodies.map((body) => appServices().projector.handle(body)));
    const failed: unknown[] = [];
    results.forEach((result, i) => {
      if (result.status === "fulfilled") logOutcome(context, correlationIdOf(bodies[i]), describeOutcome(result.value));
      else failed.push(result.reason);
    });
    if (failed.length === 1) throw failed[0];
    if (failed.length > 1) throw new AggregateError(failed, `${failed.length} of ${bodies.length} events failed: ${failed.map(String).join("; ")}`);
  },
});
