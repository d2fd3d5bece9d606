/**
 * `app.setup({ enableHttpStream: true })`: the library serves the request on its own proxy server in the worker
 * (capabilities.HttpUri). The host forwards the raw request there with `x-ms-invocation-id`, `x-forwarded-host`
 * and `x-forwarded-proto`, runs the invocation, and streams the proxy's response back to the client.
 */
import http, { type IncomingMessage, type ServerResponse } from "node:http";

const hopByHop = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer"]);

export interface ProxyExchange {
  /** Settles when the proxy's response has been streamed to the client (or failed). */
  done: Promise<"responded" | "failed">;
  /** Whether the proxy has started answering. */
  responded(): boolean;
  abort(): void;
}

export function forwardToWorkerProxy(httpUri: string, invocationId: string, req: IncomingMessage, res: ServerResponse): ProxyExchange {
  const target = new URL(req.url ?? "/", httpUri);
  const headers: http.OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(req.headers)) if (!hopByHop.has(k) && v !== undefined) headers[k] = v;
  headers["x-ms-invocation-id"] = invocationId;
  headers["x-forwarded-host"] = req.headers.host ?? "localhost";
  headers["x-forwarded-proto"] = "http";

  let started = false;
  const proxyReq = http.request(target, { method: req.method, headers, agent: false });
  const done = new Promise<"responded" | "failed">((resolve) => {
    proxyReq.on("response", (proxyRes) => {
      started = true;
      const out: http.OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(proxyRes.headers)) if (!hopByHop.has(k) && v !== undefined && k !== "x-ms-invocation-id") out[k] = v;
      res.writeHead(proxyRes.statusCode ?? 200, out);
      proxyRes.pipe(res);
      proxyRes.on("end", () => resolve("responded"));
      proxyRes.on("error", () => {
        res.destroy();
        resolve("failed");
      });
    });
    proxyReq.on("error", () => resolve("failed"));
  });
  req.pipe(proxyReq);
  return {
    done,
    responded: () => started,
    abort: () => proxyReq.destroy(),
  };
}
