/**
 * The host's own endpoints beside the functions: `GET /` (the "up and running" page), `GET /admin/host/status`,
 * and `POST /admin/functions/{name}` with `{"input": "..."}` to run a non-HTTP function now, as Core Tools offers
 * for timer and queue functions (202 Accepted; the run is logged like any other). The admin endpoints take the
 * master key when one is configured.
 */
import { HttpError, readBody, sendJson, type EmulatorHttpServer } from "../common/http-server.js";
import type { Clock } from "../common/clock.js";
import type { Logger } from "../common/logger.js";
import type { HostedFunction } from "./function-registry.js";
import type { Invoker } from "./invoker.js";
import type { FunctionKeys } from "./triggers/http-keys.js";
import { presentedKey } from "./triggers/http-keys.js";
import type { TimerTrigger } from "./triggers/timer-trigger.js";
import { sysMetadata } from "./triggers/trigger-metadata.js";

export interface AdminRouteDeps {
  functions: HostedFunction[];
  keys: FunctionKeys;
  invoker: Invoker;
  timers: TimerTrigger;
  clock: Clock;
  logger: Logger;
  isRunning: () => boolean;
}

export function registerAdminRoutes(server: EmulatorHttpServer, deps: AdminRouteDeps): void {
  server.route("GET", "/", ({ res }) => {
    res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
    res.end("Your Functions 4.0 app is up and running\n");
  });

  server.route("GET", "/admin/host/status", ({ res }) => sendJson(res, 200, { state: deps.isRunning() ? "Running" : "Stopped", version: "4.1040.0" }));

  server.route("POST", "/admin/functions/:name", async ({ req, res, params, url }) => {
    if (deps.keys.hasMasterKey() && !deps.keys.allows("admin", "", presentedKey(req, url))) throw new HttpError(401, "");
    const fn = deps.functions.find((f) => f.name.toLowerCase() === params.name.toLowerCase() && !f.disabled);
    if (!fn) throw new HttpError(404, { error: { code: "NotFound", message: `No function named "${params.name}".` } });
    if (fn.trigger.type.toLowerCase() === "httptrigger") {
      throw new HttpError(400, { error: { code: "BadRequest", message: `"${fn.name}" is an HTTP function; call its route instead.` } });
    }
    const raw = (await readBody(req)).toString("utf8").trim();
    let input = "";
    if (raw) {
      try {
        const parsed = JSON.parse(raw) as { input?: unknown };
        input = typeof parsed.input === "string" ? parsed.input : parsed.input === undefined ? "" : JSON.stringify(parsed.input);
      } catch {
        throw new HttpError(400, { error: { code: "BadRequest", message: 'The body must be JSON such as {"input": "..."}.' } });
      }
    }
    if (fn.trigger.type.toLowerCase() === "timertrigger") deps.timers.runNow(fn);
    else {
      deps.invoker
        .invoke(fn, { inputData: [{ name: fn.triggerName, data: { string: input } }], triggerMetadata: { sys: sysMetadata(fn.name, deps.clock.now()) } })
        .catch((err: unknown) => deps.logger.debug("admin-triggered run failed", { function: fn.name, error: String(err) }));
    }
    res.writeHead(202, { "content-length": "0" });
    res.end();
  });
}
