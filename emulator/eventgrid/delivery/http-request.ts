/**
 * One outgoing HTTP request for delivery or a handshake, over keep-alive agents, with the attempt timeout on the
 * emulator clock (so tests can make an endpoint time out by moving the clock).
 */
import http from "node:http";
import https from "node:https";
import type { Clock } from "../../common/clock.js";

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 256 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 256 }),
};

/** Largest response body kept (validation answers are tiny; the rest is drained). */
const MAX_KEPT_BODY = 64 * 1024;

export function httpRequest(
  url: string | URL,
  options: { method: string; headers: Record<string, string>; body?: Buffer | string; clock: Clock; timeoutMs: number },
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const target = typeof url === "string" ? new URL(url) : url;
    const secure = target.protocol === "https:";
    const req = (secure ? https : http).request(target, { method: options.method, headers: options.headers, agent: secure ? agents.https : agents.http });
    const timer = options.clock.setTimer(options.timeoutMs, () => {
      req.destroy(Object.assign(new Error(`no answer within ${options.timeoutMs / 1000} s`), { code: "TimedOut" }));
    });
    req.on("error", (err) => {
      timer.cancel();
      reject(err);
    });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      res.on("data", (c: Buffer) => {
        if (kept < MAX_KEPT_BODY) {
          chunks.push(c);
          kept += c.length;
        }
      });
      res.on("end", () => {
        timer.cancel();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
      res.on("error", (err) => {
        timer.cancel();
        reject(err);
      });
    });
    req.end(options.body);
  });
}
