/**
 * What the benches that drive the app over HTTP share: a keep-alive client (plain node:http, so the client's own
 * cost stays small next to the app's) and a closed loop that keeps `concurrency` requests in flight.
 */
import http from "node:http";

export interface HttpLoadClient {
  request(url: string, method: string, body?: string): Promise<{ status: number; text: string }>;
  close(): void;
}

export function httpLoadClient(maxSockets: number): HttpLoadClient {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  return {
    request: (url, method, body) =>
      new Promise((resolve, reject) => {
        const req = http.request(url, { method, agent, headers: body ? { "content-type": "application/json", "content-length": Buffer.byteLength(body) } : {} }, (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (d: string) => (text += d));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
        });
        req.on("error", reject);
        req.end(body);
      }),
    close: () => agent.destroy(),
  };
}

/** Runs `task` `total` times, `concurrency` at a time. */
export async function closedLoop(concurrency: number, total: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await task(next++);
    }),
  );
}
