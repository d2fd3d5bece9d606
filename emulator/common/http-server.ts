/**
 * The emulator's one HTTP port (5300 by default, as Microsoft's Service Bus emulator): health, the clock, and
 * whatever routes each service registers (administration, Event Grid publish, explorer endpoints).
 *
 * A tiny router on node:http is enough here: routes are few, and every service adds its own with `route()`.
 * Errors thrown by a handler become a JSON error body; nothing reaches the client as an unhandled 500 without a body.
 * Routes that change state are registered with `{ mutating: true }`: the server's guard (the namespace key and the
 * same-origin rule, mutation-guard.ts) runs before them, and a server built without a guard refuses them all.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { defaultHttpLimits, type HttpLimits, httpServerOptions } from "./http-limits.js";

export type RouteParams = Record<string, string>;
export interface RouteContext {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  params: RouteParams;
  url: URL;
}
export type RouteHandler = (ctx: RouteContext) => void | Promise<void>;

/** What every mutating route requires; each check throws an HttpError (403, 401) to refuse the request. */
export interface RequestGuard {
  /** A browser's request from another site (its `Origin` header) is refused, CORS preflights included. */
  refuseForeignOrigin(req: http.IncomingMessage): void;
  /** The caller proves it holds the namespace key (the `Authorization` header). */
  requireKey(req: http.IncomingMessage): void;
}

export interface RouteOptions {
  /** The route changes state (purge, reset, clock, webhook re-pointing): the server's guard must let it through. */
  mutating?: boolean;
}

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: RouteHandler;
  mutating: boolean;
}

export const PROBLEM_JSON = { "content-type": "application/problem+json; charset=utf-8" };

/** Without a configured guard, a mutating route is refused: an open door by default is what this guards against. */
const refuseAll: RequestGuard = {
  refuseForeignOrigin: () => undefined,
  requireKey: () => {
    const detail = "This server has no key configured, so it changes nothing over HTTP.";
    throw new HttpError(401, { type: "about:blank", title: "Unauthorized", status: 401, detail }, PROBLEM_JSON);
  },
};

/** An error a handler throws to answer with a given status and JSON body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body === "string" ? body : JSON.stringify(body));
  }
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Reads a request body up to `limit` bytes; a longer body is refused with 413 without buffering the rest. */
export async function readBody(req: http.IncomingMessage, limit = 16 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, { error: { code: "RequestEntityTooLarge", message: `The request body exceeds ${limit} bytes.` } });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Takes a request no route matched; returns false to leave it to the router's 404. */
export type FallbackHandler = (ctx: RouteContext) => boolean | Promise<boolean>;

export class EmulatorHttpServer {
  private readonly routes: Route[] = [];
  private readonly fallbacks: FallbackHandler[] = [];
  readonly server: http.Server;
  private guard: RequestGuard = refuseAll;

  /**
   * `limits`: header and request deadlines and the header size cap (http-limits.ts); defaults when absent.
   * `keepAliveTimeoutMs`: how long an idle keep-alive connection is kept (default 5 s).
   */
  constructor(limits: Partial<HttpLimits> = {}, keepAliveTimeoutMs = 5000) {
    const options = httpServerOptions({ ...defaultHttpLimits, ...limits });
    this.server = http.createServer(options, (req, res) => void this.dispatch(req, res));
    // close() ends idle sockets itself (closeAllConnections). The timeout must stay well above 1 s: Node's http.Agent
    // (and so every Azure SDK) subtracts 1 s from the advertised `Keep-Alive: timeout=N` and never reuses a socket
    // when that leaves nothing, so 1 s meant a new TCP connection per request.
    this.server.keepAliveTimeout = keepAliveTimeoutMs;
  }

  /** Registers a route; `path` may contain `:name` segments and a trailing `*` (rest of the path as `params.rest`). */
  route(method: string, path: string, handler: RouteHandler, options: RouteOptions = {}): void {
    const names: string[] = [];
    const source = path
      .split("/")
      .map((seg) => {
        if (seg === "*") {
          names.push("rest");
          return "(.*)";
        }
        if (seg.startsWith(":")) {
          names.push(seg.slice(1));
          return "([^/]+)";
        }
        return seg.replace(/[.*+?^${}()|[\]\\$]/g, "\\$&");
      })
      .join("/");
    const pattern = new RegExp(`^${source}/?$`, "i");
    this.routes.push({ method: method.toUpperCase(), pattern, names, handler, mutating: options.mutating === true });
  }

  /** Sets what every mutating route requires (mutation-guard.ts builds the emulator's). */
  guardMutations(guard: RequestGuard): void {
    this.guard = guard;
  }

  /**
   * Handles requests no route matched, before the 404: the Service Bus administration API lives at the root paths the
   * SDK uses (`/{queue}`, `/$Resources/Queues`...), which cannot be listed as routes ahead of time, and Event Grid
   * answers wrong publish URLs in its own error format. Fallbacks are asked in order until one takes the request;
   * `first` puts a handler ahead of those already added, for a service whose rule is narrower (Event Grid's) than
   * a broad one (Service Bus takes anything with an api-version), whatever order the services start in.
   */
  fallback(handler: FallbackHandler, options: { first?: boolean } = {}): void {
    if (options.first) this.fallbacks.unshift(handler);
    else this.fallbacks.push(handler);
  }

  /** Handles a request that arrived on another listener (the AMQP port sniffs HTTP and hands it here). */
  handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    void this.dispatch(req, res);
  }

  async listen(port: number, host = "0.0.0.0"): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async dispatch(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    let pathname: string;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      sendJson(res, 400, { error: { code: "BadRequest", message: "The request path is not valid percent-encoding." } });
      return;
    }
    let methodAllowed = true;
    for (const route of this.routes) {
      const m = route.pattern.exec(pathname);
      if (!m) continue;
      if (route.method !== req.method && route.method !== "*") {
        // A CORS preflight (OPTIONS) for a mutating route from a foreign page gets the guard's 403, not a 405.
        if (route.mutating && req.method === "OPTIONS") {
          try {
            this.guard.refuseForeignOrigin(req);
          } catch (err) {
            this.fail(res, err);
            return;
          }
        }
        methodAllowed = false;
        continue;
      }
      const params: RouteParams = {};
      route.names.forEach((name, i) => (params[name] = m[i + 1] ?? ""));
      try {
        if (route.mutating) {
          this.guard.refuseForeignOrigin(req);
          this.guard.requireKey(req);
        }
        await route.handler({ req, res, params, url });
      } catch (err) {
        this.fail(res, err);
      }
      return;
    }
    for (const fallback of this.fallbacks) {
      try {
        if (await fallback({ req, res, params: {}, url })) return;
      } catch (err) {
        this.fail(res, err);
        return;
      }
    }
    if (!methodAllowed) sendJson(res, 405, { error: { code: "MethodNotAllowed", message: `${req.method} is not allowed on ${pathname}.` } });
    else sendJson(res, 404, { error: { code: "NotFound", message: `No emulator endpoint at ${pathname}.` } });
  }

  private fail(res: http.ServerResponse, err: unknown): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (err instanceof HttpError) {
      if (typeof err.body === "string") {
        res.writeHead(err.status, { "content-type": "text/plain; charset=utf-8", ...err.headers });
        res.end(err.body);
      } else sendJson(res, err.status, err.body, err.headers);
      return;
    }
    sendJson(res, 500, { error: { code: "InternalError", message: (err as Error)?.message ?? String(err) } });
  }
}
