/**
 * Tracing and the purchase timeline for every function of the app: OpenTelemetry set up once for the worker
 * (exporters from the settings; src/telemetry/telemetry-setup.ts), hops written to Table `timeline`, and one
 * preInvocation hook that gives each invocation its span (HTTP requests, Service Bus, Event Grid and Kafka messages,
 * timers) and records each message's delivered/handled/failed hops. Spans and queued hops are flushed at shutdown.
 */
import { app } from "@azure/functions";
import { traceInvocation } from "../src/telemetry/function-invocations.js";
import { startTelemetry } from "../src/telemetry/telemetry-setup.js";
import { closeTimeline, startTimeline } from "../src/timeline/process-timeline.js";

const telemetry = startTelemetry();
startTimeline();

app.hook.preInvocation((context) => traceInvocation(context));

app.hook.appTerminate(async () => {
  await closeTimeline();
  await telemetry.shutdown();
});
