/**
 * Routes every emulator answers on its HTTP port: health (the same body as Microsoft's Service Bus emulator)
 * and the clock, so tests in other processes can move time forward too.
 */
import { z } from "zod";
import type { EmulatorClock } from "./clock.js";
import { type EmulatorHttpServer, HttpError, readBody, sendJson } from "./http-server.js";

const advanceBody = z.object({ ms: z.number().finite().nonnegative() }).strict();

export function registerEmulatorRoutes(http: EmulatorHttpServer, clock: EmulatorClock, isHealthy: () => boolean): void {
  http.route("GET", "/health", ({ res }) => {
    if (isHealthy()) sendJson(res, 200, { status: "healthy", message: "Service is healthy." });
    else sendJson(res, 503, { status: "unhealthy", message: "Service is not ready." });
  });
  http.route("GET", "/emulator/clock", ({ res }) => {
    sendJson(res, 200, { now: new Date(clock.now()).toISOString(), offsetMs: clock.offset });
  });
  http.route("POST", "/emulator/clock/advance", async ({ req, res }) => {
    // An oversized body keeps readBody's 413: only a body that is not JSON is a 400.
    const raw = await readBody(req, 4096);
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString("utf8"));
    } catch {
      throw new HttpError(400, { error: { code: "BadRequest", message: 'The body must be JSON such as {"ms": 30000}.' } });
    }
    const body = advanceBody.safeParse(parsed);
    if (!body.success) throw new HttpError(400, { error: { code: "BadRequest", message: 'The body must be {"ms": <non-negative number>}.' } });
    clock.advance(body.data.ms);
    sendJson(res, 200, { now: new Date(clock.now()).toISOString(), offsetMs: clock.offset });
  });
}
