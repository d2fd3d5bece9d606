/**
 * Test and developer endpoints on the HTTP port (JSON), for looking into and tidying the namespace:
 *
 *   GET  /emulator/servicebus/entities                       every queue, topic and subscription with counts
 *   GET  /emulator/servicebus/entities/{path}                one entity with counts
 *   GET  /emulator/servicebus/entities/{path}/messages       peek (?state=all|active|deferred|scheduled&from=&max=)
 *   GET  /emulator/servicebus/entities/{path}/deadletters    peek its dead-letter queue
 *   POST /emulator/servicebus/entities/{path}/purge          delete every message (…/deadletters/purge: the DLQ)
 *   POST /emulator/servicebus/entities/{path}/resubmit       dead letters back to the entity ({"sequenceNumbers": [..]} or all)
 *   POST /emulator/servicebus/reset                          the namespace as the config declares it, empty
 *   GET  /emulator/certificate                               the HTTPS certificate (PEM) to trust
 *
 * `{path}` is `q1`, `t1` or `t1/Subscriptions/s1` (a `/$DeadLetterQueue` suffix also works). Bad input gets a 4xx
 * with a JSON error body. The POSTs need the namespace key and refuse foreign browser origins (mutation-guard.ts);
 * the GETs stay open: they change nothing, and without CORS headers no other site's page can read their answers.
 */
import type { IncomingMessage } from "node:http";
import { type EmulatorHttpServer, readBody, sendJson } from "../../common/http-server.js";
import type { TlsCertificate } from "../../common/tls.js";
import type { ServiceBusNamespaceConfig } from "../config.js";
import type { Namespace, SubQueue } from "../model/namespace.js";
import { countsOf, entityPath, explorerError, listEntities, peekStore, purge, resolveEntity, resubmit, storeOf } from "./explorer-operations.js";

export interface ExplorerOptions {
  namespace: Namespace;
  config: ServiceBusNamespaceConfig;
  certificate: () => Promise<TlsCertificate & { certPath?: string }>;
  /** Called after a reset (entity timestamps start over). */
  onReset?: () => void;
}

const PREFIX = "/emulator/servicebus";

/** Splits `{path}/{action}` (action one of the known verbs; `deadletters` selects the DLQ). */
function splitAction(rest: string, actions: string[]): { path: string; action: string; deadLetters: boolean } {
  const parts = rest.replace(/\/+$/, "").split("/");
  let action = "";
  if (parts.length > 1 && actions.includes(parts[parts.length - 1].toLowerCase())) action = parts.pop()!.toLowerCase();
  let deadLetters = false;
  if (parts.length > 1 && parts[parts.length - 1].toLowerCase() === "deadletters") {
    parts.pop();
    deadLetters = true;
  }
  return { path: parts.join("/"), action, deadLetters };
}

async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const raw = (await readBody(req, 1024 * 1024)).toString("utf8").trim();
  if (raw === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw explorerError(400, "BadRequest", "The body must be JSON.");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw explorerError(400, "BadRequest", "The body must be a JSON object.");
  return parsed as Record<string, unknown>;
}

function sequenceNumbersOf(body: Record<string, unknown>): number[] | undefined {
  const value = body.sequenceNumbers;
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((n) => typeof n !== "number" || !Number.isSafeInteger(n) || n < 0)) {
    throw explorerError(400, "BadRequest", "'sequenceNumbers' must be an array of non-negative integers.");
  }
  return value as number[];
}

export function registerExplorerRoutes(http: EmulatorHttpServer, options: ExplorerOptions): void {
  const { namespace } = options;

  http.route("GET", "/emulator/certificate", async ({ res }) => {
    const certificate = await options.certificate();
    const headers: Record<string, string> = { "content-type": "application/x-pem-file", "content-length": String(Buffer.byteLength(certificate.cert)) };
    if (certificate.certPath) headers["x-certificate-path"] = certificate.certPath;
    res.writeHead(200, headers);
    res.end(certificate.cert);
  });

  http.route("GET", `${PREFIX}/entities`, ({ res }) => sendJson(res, 200, listEntities(namespace)));

  http.route("GET", `${PREFIX}/entities/*`, ({ res, params, url }) => {
    const { path, action, deadLetters } = splitAction(params.rest, ["messages"]);
    const { entity, subQueue } = resolveEntity(namespace, path);
    const which: SubQueue = deadLetters ? "deadLetter" : subQueue;
    if (action === "" && !deadLetters) {
      sendJson(res, 200, { name: entity.name, kind: entity.kind, path: entityPath(entity), counts: countsOf(entity) });
      return;
    }
    const messages = peekStore(storeOf(entity, which), { state: url.searchParams.get("state"), from: url.searchParams.get("from"), max: url.searchParams.get("max") });
    sendJson(res, 200, { entity: entityPath(entity), subQueue: which, messages });
  });

  http.route("POST", `${PREFIX}/entities/*`, async ({ req, res, params }) => {
    const { path, action, deadLetters } = splitAction(params.rest, ["purge", "resubmit"]);
    if (action === "") throw explorerError(404, "NotFound", `POST ${PREFIX}/entities/{path}/purge or …/resubmit.`);
    const { entity, subQueue } = resolveEntity(namespace, path);
    const which: SubQueue = deadLetters ? "deadLetter" : subQueue;
    if (action === "purge") {
      if (entity.kind === "topic" && which !== "main") throw explorerError(400, "BadRequest", "A topic has no dead-letter queue: purge one of its subscriptions.");
      const purged = purge(entity, which);
      await namespace.storage.durable?.(); // durable mode: answer once the removals are on disk
      sendJson(res, 200, { entity: entityPath(entity), subQueue: which, purged });
      return;
    }
    const result = resubmit(namespace, entity, sequenceNumbersOf(await jsonBody(req)));
    await namespace.storage.durable?.();
    sendJson(res, 200, { entity: entityPath(entity), ...result });
  }, { mutating: true });

  http.route("POST", `${PREFIX}/reset`, ({ res }) => {
    namespace.reset(options.config);
    options.onReset?.();
    sendJson(res, 200, { namespace: namespace.name, queues: namespace.queues.size, topics: namespace.topics.size });
  }, { mutating: true });
}
