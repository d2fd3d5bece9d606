/**
 * Routes every emulator answers on its HTTP port: health (the same body as Microsoft's Service Bus emulator)
 * and the clock, so tests in other processes can move time forward too. A refused advance answers 400 with
 * `application/problem+json` (RFC 9457) saying why; an accepted one answers once every timer it made due has run,
 * and the ports keep answering meanwhile (the clock works through them in slices). Moving the clock needs the
 * namespace key (a mutating route: the server's guard checks it); reading it does not.
 */
import { z } from "zod";
import { type EmulatorClock, LATEST_TIME_MS, MAX_ADVANCE_MS } from "./clock.js";
import { type EmulatorHttpServer, HttpError, PROBLEM_JSON, readBody, sendJson } from "./http-server.js";

const advanceBody = z.object({ ms: z.number() }).strict();

function badAdvance(detail: string): HttpError {
  const problem = { type: "about:blank", title: "The clock cannot be moved so", status: 400, detail };
  return new HttpError(400, problem, PROBLEM_JSON);
}

function clockState(clock: EmulatorClock): { now: string; offsetMs: number } {
  return { now: new Date(clock.now()).toISOString(), offsetMs: clock.offset };
}

export function registerEmulatorRoutes(http: EmulatorHttpServer, clock: EmulatorClock, isHealthy: () => boolean): void {
  http.route("GET", "/health", ({ res }) => {
    if (isHealthy()) sendJson(res, 200, { status: "healthy", message: "Service is healthy." });
    else sendJson(res, 503, { status: "unhealthy", message: "Service is not ready." });
  });
  http.route("GET", "/emulator/clock", ({ res }) => {
    sendJson(res, 200, clockState(clock));
  });
  http.route("POST", "/emulator/clock/advance", async ({ req, res }) => {
    // An oversized body keeps readBody's 413: only a body that is not JSON is a 400.
    const raw = await readBody(req, 4096);
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString("utf8"));
    } catch {
      throw badAdvance('The body must be JSON such as {"ms": 30000}.');
    }
    const body = advanceBody.safeParse(parsed);
    if (!body.success) throw badAdvance('The body must be {"ms": <milliseconds>}, with nothing else.');
    const { ms } = body.data;
    if (!Number.isFinite(ms) || ms < 0) {
      throw badAdvance(`"ms" must be a non-negative number of milliseconds, got ${ms}.`);
    }
    if (ms > MAX_ADVANCE_MS) {
      throw badAdvance(`"ms" may be at most ${MAX_ADVANCE_MS} (a century) per call, got ${ms}.`);
    }
    if (clock.now() + ms > LATEST_TIME_MS) {
      throw badAdvance(`The clock cannot pass ${new Date(LATEST_TIME_MS).toISOString()}, the latest time SDKs hold.`);
    }
    try {
      await clock.advanceInSlices(ms);
    } catch (err) {
      // An advance queued behind another is checked again when its turn comes.
      if (err instanceof RangeError) throw badAdvance(err.message);
      throw err;
    }
    sendJson(res, 200, clockState(clock));
  }, { mutating: true });
}
