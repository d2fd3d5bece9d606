/**
 * HTTP triggers: routes under the host.json route prefix, allowed methods, `authLevel` with function keys, the
 * request handed to the library as RpcHttp (or streamed to its proxy with `enableHttpStream`), and the function's
 * HTTP output written back. Unknown routes and wrong methods get 404 and a function that throws 500, with empty
 * bodies as the Functions host answers; a missing or wrong key 401, with a body saying which key to send
 * (missing-key-answer.ts says why).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../../common/logger.js";
import { HttpError, readBody } from "../../common/http-server.js";
import type { HostedFunction } from "../function-registry.js";
import type { Invoker } from "../invoker.js";
import type { RpcHttpData, RpcInvocationResponse, RpcTypedData } from "../rpc-types.js";
import { FunctionKeys, presentedKey, type AuthLevel } from "./http-keys.js";
import { writeEmpty, writeRpcHttpResponse } from "./http-response.js";
import { forwardToWorkerProxy } from "./http-stream-proxy.js";
import { writeMissingKey } from "./missing-key-answer.js";
import { byPrecedence, compileRoute, type CompiledRoute } from "./route-template.js";
import { jsonData } from "./trigger-metadata.js";

// The Functions host's default request size limit (100 MB).
const MAX_BODY_BYTES = 100 * 1024 * 1024;
// With streaming, a handler that returns no response leaves the proxy waiting; answer 204 after this grace period.
const STREAM_NO_RESPONSE_GRACE_MS = 2000;

interface HttpRoute {
  fn: HostedFunction;
  route: CompiledRoute;
  methods: Set<string> | undefined;
  authLevel: AuthLevel;
}

export interface HttpTriggerOptions {
  functions: HostedFunction[];
  routePrefix: string;
  keys: FunctionKeys;
  invoker: Invoker;
  logger: Logger;
  /** The library's proxy server when the app called app.setup({ enableHttpStream: true }) (read per request: a restarted worker has a new one). */
  httpUri: () => string | undefined;
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(", ") : v;
  return out;
}

function flattenQuery(url: URL): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of new Set(url.searchParams.keys())) out[key] = url.searchParams.getAll(key).join(",");
  return out;
}

function httpOutput(fn: HostedFunction, response: RpcInvocationResponse): RpcHttpData | undefined {
  const binding = fn.outputs.find((o) => o.binding.type?.toLowerCase() === "http");
  if (!binding) return undefined;
  const data: RpcTypedData | null | undefined =
    binding.name === "$return" ? response.returnValue : response.outputData?.find((o) => o.name === binding.name)?.data;
  return data?.http ?? undefined;
}

/** The caller's correlation id: `x-correlation-id`, else the trace id of a W3C `traceparent`. */
function requestCorrelationId(req: IncomingMessage): string | undefined {
  const given = req.headers["x-correlation-id"];
  const id = Array.isArray(given) ? given[0] : given;
  if (id && id.trim() !== "") return id.trim();
  const traceparent = req.headers.traceparent;
  const traceId = typeof traceparent === "string" ? traceparent.split("-")[1] : undefined;
  return traceId && /^[0-9a-f]{32}$/i.test(traceId) ? traceId : undefined;
}

export class HttpTrigger {
  private readonly routes: HttpRoute[];

  constructor(private readonly options: HttpTriggerOptions) {
    const prefix = options.routePrefix;
    this.routes = options.functions
      // Disabled functions keep their route for callers with the master key only (as in Azure); others get 404.
      .filter((fn) => fn.trigger.type.toLowerCase() === "httptrigger")
      .map((fn) => {
        const own = typeof fn.trigger.route === "string" && fn.trigger.route.trim() !== "" ? fn.trigger.route.trim() : fn.name;
        const template = prefix ? `${prefix}/${own.replace(/^\/+/, "")}` : own;
        const methods = Array.isArray(fn.trigger.methods) && fn.trigger.methods.length > 0 ? new Set(fn.trigger.methods.map((m) => String(m).toUpperCase())) : undefined;
        const authLevel = String(fn.trigger.authLevel ?? "function").toLowerCase();
        if (authLevel !== "anonymous" && authLevel !== "function" && authLevel !== "admin") {
          throw new Error(`Function "${fn.name}": authLevel "${String(fn.trigger.authLevel)}" is not one of anonymous, function, admin.`);
        }
        return { fn, route: compileRoute(template), methods, authLevel: authLevel as AuthLevel };
      })
      .sort((a, b) => byPrecedence(a.route, b.route));
  }

  /** The routes, for the start-up listing ("GET,POST http://localhost:7071/api/orders"). */
  describe(baseUrl: string): { name: string; methods: string; url: string }[] {
    return this.routes.filter((r) => !r.fn.disabled).map((r) => ({ name: r.fn.name, methods: r.methods ? [...r.methods].join(",") : "*", url: `${baseUrl}/${r.route.template}` }));
  }

  /** Answers the request if a function's route matches; returns false otherwise. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const method = (req.method ?? "GET").toUpperCase();
    let found: { route: HttpRoute; params: Record<string, string> } | undefined;
    const key = presentedKey(req, url);
    for (const route of this.routes) {
      if (route.methods && !route.methods.has(method)) continue;
      if (route.fn.disabled && !this.options.keys.isMaster(key)) continue;
      const params = route.route.match(url.pathname);
      if (params) {
        found = { route, params };
        break;
      }
    }
    if (!found) return false;
    const { fn, authLevel } = found.route;
    if (!this.options.keys.allows(authLevel, fn.name, key)) {
      req.resume();
      const keyConfigured = this.options.keys.hasKeyFor(authLevel, fn.name);
      writeMissingKey(res, { functionName: fn.name, level: authLevel, keyConfigured, instance: url.pathname });
      return true;
    }
    try {
      const httpUri = this.options.httpUri();
      if (httpUri) await this.invokeStreaming(httpUri, fn, found.params, req, res, url);
      else await this.invokeBuffered(fn, found.params, req, res, url);
    } catch (err) {
      if (err instanceof HttpError) writeEmpty(res, err.status);
      else writeEmpty(res, 500);
    }
    return true;
  }

  private rpcRequest(req: IncomingMessage, url: URL, params: Record<string, string>, body?: Buffer): RpcHttpData {
    return {
      method: req.method ?? "GET",
      url: `http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`,
      headers: flattenHeaders(req),
      query: flattenQuery(url),
      params,
      ...(body && body.length > 0 ? { body: { bytes: body } } : {}),
    };
  }

  private metadata(req: IncomingMessage, url: URL, params: Record<string, string>): Record<string, RpcTypedData> {
    const meta: Record<string, RpcTypedData> = { Headers: jsonData(flattenHeaders(req)), Query: jsonData(flattenQuery(url)) };
    // Route parameters stay `string`: the library reads only those (and does not parse HTTP trigger metadata).
    for (const [k, v] of Object.entries(params)) meta[k] = { string: v };
    return meta;
  }

  private async invokeBuffered(fn: HostedFunction, params: Record<string, string>, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const body = await readBody(req, MAX_BODY_BYTES);
    const http = this.rpcRequest(req, url, params, body);
    const response = await this.options.invoker.invoke(fn, {
      inputData: [{ name: fn.triggerName, data: { http } }],
      triggerMetadata: this.metadata(req, url, params),
      correlationId: requestCorrelationId(req),
      // An app that makes up a correlation id for a request without one answers with it.
      correlationFromResponse: (r) => httpOutput(fn, r)?.headers?.["x-correlation-id"] ?? undefined,
    });
    const out = httpOutput(fn, response);
    if (out) writeRpcHttpResponse(res, out, req.method === "HEAD");
    else writeEmpty(res, 204);
  }

  private async invokeStreaming(httpUri: string, fn: HostedFunction, params: Record<string, string>, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const invocationId = this.options.invoker.newInvocationId();
    const exchange = forwardToWorkerProxy(httpUri, invocationId, req, res);
    try {
      await this.options.invoker.invoke(fn, {
        invocationId,
        inputData: [{ name: fn.triggerName, data: { http: this.rpcRequest(req, url, params) } }],
        triggerMetadata: this.metadata(req, url, params),
        correlationId: requestCorrelationId(req),
      });
    } catch (err) {
      if (!exchange.responded()) exchange.abort();
      throw err;
    }
    let grace: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      exchange.done,
      new Promise<"none">((resolve) => (grace = setTimeout(() => resolve("none"), STREAM_NO_RESPONSE_GRACE_MS))),
    ]);
    clearTimeout(grace);
    if (outcome === "none" && !exchange.responded()) {
      exchange.abort();
      writeEmpty(res, 204);
    } else if (outcome === "none") {
      await exchange.done;
    }
  }
}
