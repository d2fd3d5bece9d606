/**
 * The dashboard's routes on the emulator's HTTP port:
 *
 *   GET  /                              the page (also /dashboard)
 *   GET  /dashboard/page/{file}         its script and style (emulator/dashboard/page/)
 *   GET  /dashboard/vendor/{file}       preact, preact/hooks and htm as ES modules, from node_modules
 *   GET  /dashboard/state/{section}     servicebus | eventgrid | kafka | functions, as JSON
 *   GET  /dashboard/flows               the most recently active flows
 *   GET  /dashboard/flows/{id}          one flow's hops in order (404 when no hop carries that id)
 *   GET  /dashboard/events              server-sent events: what changed, a few times a second at most
 *   POST /dashboard/servicebus/messages send a test message ({entity, body, ...}); mutating: key + same origin
 *
 * Reads stay open like the explorer's GETs (they change nothing and carry no CORS headers); peek, purge, resubmit
 * and the clock are the explorer's and the emulator's own endpoints, which the page calls with a signed token.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { type EmulatorHttpServer, HttpError, readBody, sendJson } from "../common/http-server.js";
import type { ServiceBusEnqueuer } from "../common/service-bus-enqueuer.js";
import { DashboardError } from "./dashboard-error.js";
import type { FlowRecorder } from "./flow-recorder.js";
import type { LiveStream, Section } from "./live-stream.js";

const require = createRequire(import.meta.url);

/** The page's own files, read once; the names are fixed so no request path reaches the file system. */
const SCRIPT = "text/javascript; charset=utf-8";
const PAGE_FILES: Record<string, string> = {
  "app.js": SCRIPT,
  "common.js": SCRIPT,
  "event-grid.js": SCRIPT,
  "flow.js": SCRIPT,
  "functions.js": SCRIPT,
  "kafka.js": SCRIPT,
  "sas.js": SCRIPT,
  "service-bus.js": SCRIPT,
  "style.css": "text/css; charset=utf-8",
};

/**
 * The front end's libraries, resolved the way Node resolves them from this module, so they are found both in this
 * repository and when the emulator is installed as a package (wherever npm put them).
 */
const VENDOR_FILES: Record<string, () => string> = {
  "preact.mjs": () => require.resolve("preact"),
  "hooks.mjs": () => require.resolve("preact/hooks"),
  // htm's exports give `require` its CommonJS build; its ES module sits beside it.
  "htm.mjs": () => path.join(path.dirname(require.resolve("htm")), "htm.mjs"),
};

const pageDir = fileURLToPath(new URL("./page/", import.meta.url));
const cache = new Map<string, Buffer>();

function fileBytes(path: string): Buffer {
  let bytes = cache.get(path);
  if (!bytes) cache.set(path, (bytes = readFileSync(path)));
  return bytes;
}

function sendFile(res: import("node:http").ServerResponse, bytes: Buffer, type: string): void {
  res.writeHead(200, { "content-type": type, "content-length": bytes.length, "cache-control": "no-cache" });
  res.end(bytes);
}

export type SectionReader = () => unknown;

export interface DashboardRouteOptions {
  recorder: FlowRecorder;
  live: LiveStream;
  sections: Record<Exclude<Section, "clock">, SectionReader>;
  serviceBus: ServiceBusEnqueuer;
}

const testMessage = z
  .object({
    entity: z.string().min(1),
    body: z.string(),
    contentType: z.string().optional(),
    correlationId: z.string().optional(),
    messageId: z.string().optional(),
    subject: z.string().optional(),
    sessionId: z.string().optional(),
    applicationProperties: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  })
  .strict();

export function registerDashboardRoutes(http: EmulatorHttpServer, options: DashboardRouteOptions): void {
  const { recorder, live } = options;
  const page = ({ res }: { res: import("node:http").ServerResponse }) => {
    sendFile(res, fileBytes(`${pageDir}index.html`), "text/html; charset=utf-8");
  };
  http.route("GET", "/", page);
  http.route("GET", "/dashboard", page);

  http.route("GET", "/dashboard/page/:file", ({ res, params }) => {
    const type = PAGE_FILES[params.file];
    if (!type) throw DashboardError.notFound(`The dashboard has no file '${params.file}'.`);
    sendFile(res, fileBytes(`${pageDir}${params.file}`), type);
  });

  http.route("GET", "/dashboard/vendor/:file", ({ res, params }) => {
    const resolve = VENDOR_FILES[params.file];
    if (!resolve) throw DashboardError.notFound(`The dashboard has no library '${params.file}'.`);
    sendFile(res, fileBytes(resolve()), "text/javascript; charset=utf-8");
  });

  http.route("GET", "/dashboard/state/:section", ({ res, params }) => {
    const read = (options.sections as Record<string, SectionReader>)[params.section];
    if (!read) {
      const known = Object.keys(options.sections).join(", ");
      throw DashboardError.notFound(`No dashboard section '${params.section}': ${known}.`);
    }
    sendJson(res, 200, read());
  });

  http.route("GET", "/dashboard/flows", ({ res }) => sendJson(res, 200, { flows: recorder.recent() }));

  http.route("GET", "/dashboard/flows/:id", ({ res, params }) => {
    const flow = recorder.flow(params.id.trim());
    if (!flow) throw DashboardError.notFound(`No hop seen yet carries the id '${params.id}'.`);
    sendJson(res, 200, flow);
  });

  http.route("GET", "/dashboard/events", ({ req, res }) => live.open(req, res));

  http.route("POST", "/dashboard/servicebus/messages", async ({ req, res }) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse((await readBody(req, 256 * 1024)).toString("utf8"));
    } catch (err) {
      if (err instanceof HttpError) throw err;
      throw DashboardError.badRequest("The body must be JSON.");
    }
    const message = testMessage.safeParse(parsed);
    if (!message.success) {
      const detail = message.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
      throw DashboardError.badRequest(`The body must be {entity, body, contentType?, correlationId?, ...}: ${detail}`);
    }
    const { entity, body, ...rest } = message.data;
    try {
      await options.serviceBus.enqueue(entity, { ...rest, body: Buffer.from(body, "utf8") });
    } catch (err) {
      const code = (err as { code?: string }).code ?? "SendFailed";
      throw DashboardError.refused(code === "MessagingEntityNotFound" ? 404 : 409, code, (err as Error).message);
    }
    sendJson(res, 201, { entity, sent: 1 });
  }, { mutating: true });
}
