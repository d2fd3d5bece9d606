/**
 * Operations endpoints (auth level `function`: a function or host key in `x-functions-key` or `?code=`):
 *   GET  /api/ops/dead-letters?entity=commands/subscriptions/payments       list (peek) the dead letters
 *   GET  /api/ops/dead-letters/{sequenceNumber}?entity=...                  one of them
 *   POST /api/ops/dead-letters/{sequenceNumber}/resubmit?entity=...         send it back, remove it from the DLQ
 *   POST /api/ops/dead-letters/resubmit?entity=...                          all of them
 * Not under /api/admin: Azure's Functions host reserves routes and function names that start with `admin` for its
 * own admin API ("The specified route conflicts with one or more built in routes"), so such a function would
 * not load in Azure.
 *
 * Keys: in Azure, the app's function or host keys (portal, `az functionapp keys list`). Locally, the emulator's
 * host checks keys as Azure does (a function-level function with no key configured refuses every request with
 * 401; Core Tools' `func start` would not check at all): it reads them from app settings named as the host names
 * its secrets, `host.master`, `host.function.<name>` or `functions.<function>.<name>`, e.g.
 * `"host.function.default": "local-ops-key"` in local.settings.json Values.
 */
import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import type { ServiceBusClient } from "@azure/service-bus";
import { serviceBusConnection } from "../src/config.js";
import { type DeadLetterOperation, handleDeadLetterRequest } from "../src/dead-letters/dead-letters-http.js";
import { DeadLetters } from "../src/dead-letters/dead-letters.js";
import { createServiceBusClient } from "../src/messaging/service-bus-message-bus.js";

let client: ServiceBusClient | undefined;
let deadLetters: DeadLetters | undefined;

function service(): DeadLetters {
  client ??= createServiceBusClient(serviceBusConnection(process.env));
  deadLetters ??= new DeadLetters(client);
  return deadLetters;
}

app.hook.appTerminate(async () => {
  const closing = client;
  client = undefined;
  deadLetters = undefined;
  await closing?.close();
});

function route(operation: DeadLetterOperation) {
  return async (request: HttpRequest): Promise<HttpResponseInit> => {
    const url = new URL(request.url);
    return handleDeadLetterRequest(service(), {
      operation,
      entity: url.searchParams.get("entity"),
      sequenceNumber: request.params.sequenceNumber,
      max: url.searchParams.get("max"),
      from: url.searchParams.get("from"),
      instance: url.pathname,
    });
  };
}

app.http("ops-dead-letters-list", { methods: ["GET"], route: "ops/dead-letters", authLevel: "function", handler: route("list") });
app.http("ops-dead-letters-resubmit-all", { methods: ["POST"], route: "ops/dead-letters/resubmit", authLevel: "function", handler: route("resubmit-all") });
app.http("ops-dead-letters-get", { methods: ["GET"], route: "ops/dead-letters/{sequenceNumber}", authLevel: "function", handler: route("get") });
app.http("ops-dead-letters-resubmit", { methods: ["POST"], route: "ops/dead-letters/{sequenceNumber}/resubmit", authLevel: "function", handler: route("resubmit") });
