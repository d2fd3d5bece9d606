/**
 * The Functions app's entry (package.json `main` points at its compiled form, dist/functions/index.js, which both
 * `func start` and the local host load): one import per function group. The services they share are built once
 * per worker (src/app/) and closed when the app stops.
 */
import { app } from "@azure/functions";
import { closeAppServices } from "../src/app/app-services.js";
import "./tracing.js";
import "./purchases-api.js";
import "./concerts-api.js";
import "./command-handlers.js";
import "./purchase-process.js";
import "./email.js";
import "./notify-fan.js";
import "./outbox-sweeper.js";
import "./simulated-ticketing-provider.js";
import "./admin.js";
import "./openapi.js";
import "./fans-api.js";
import "./fan-replica.js";
import "./projections.js";
import "./timeline.js";
import "./analytics.js";
import "./simulated-fan-webhook.js";

app.hook.appTerminate(() => closeAppServices());
