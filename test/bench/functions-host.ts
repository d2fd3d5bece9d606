/**
 * Local Functions host benchmark (issue 6): HTTP invocations of the fixture app's `hello` function through the host
 * (listener in this process, the app in its worker process, arguments and response through the library's own
 * InvocationModel), next to a plain node:http server in this process answering the same text as the baseline.
 * Both are driven by the same keep-alive client. Targets: invocations/s >= 15% of the baseline's requests/s (the host
 * adds an IPC round trip and the library's Request/Response conversion per call); p99 latency < 20 ms unloaded;
 * start to ready < 5 s for the TypeScript fixture app.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { startFixtureHost } from "../emulator/functions-host/start-fixture-host.js";
import { type BenchRow, type BenchSuite, percentOf, percentile } from "./harness.js";

const suite = "functions-host";
const requests = 3_000;
const warmUp = 300;
const concurrency = 16;
const latencySamples = 500;

const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });

function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      })
      .on("error", reject);
  });
}

/** Requests per second with `concurrency` requests in flight. */
async function rate(url: string, count: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++;
        const status = await get(url);
        if (status !== 200) throw new Error(`unexpected status ${status} from ${url}`);
      }
    }),
  );
  return Math.round(count / ((performance.now() - started) / 1000));
}

async function latencies(url: string): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < latencySamples; i++) {
    const t = performance.now();
    await get(url);
    out.push(performance.now() - t);
  }
  return out.sort((a, b) => a - b);
}

async function plainServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const name = new URL(req.url ?? "/", "http://x").searchParams.get("name") ?? "world";
    const body = `Hello, ${name}!`;
    res.writeHead(200, { "content-type": "text/plain;charset=UTF-8", "content-length": Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/hello?name=bench`,
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

export const functionsHostSuite: BenchSuite = {
  name: suite,
  async run(): Promise<BenchRow[]> {
    const t0 = performance.now();
    const host = await startFixtureHost();
    const startMs = Math.round(performance.now() - t0);
    const plain = await plainServer();
    const hostUrl = `${host.url}/api/hello?name=bench`;
    try {
      await rate(hostUrl, warmUp);
      await rate(plain.url, warmUp);
      const hostRate = await rate(hostUrl, requests);
      const plainRate = await rate(plain.url, requests);
      const hostLat = await latencies(hostUrl);
      const plainLat = await latencies(plain.url);
      const ratio = percentOf(hostRate, plainRate);
      const p99 = Math.round(percentile(hostLat, 99) * 100) / 100;
      return [
        { suite, name: `HTTP invocations/s, ${concurrency} in flight (% of plain node:http)`, value: ratio, unit: "%", baseline: { name: "plain node:http req/s", value: plainRate }, target: ">= 15%", pass: ratio >= 15 },
        { suite, name: `HTTP invocations/s, ${concurrency} in flight`, value: hostRate, unit: "req/s", baseline: { name: "plain node:http", value: plainRate } },
        { suite, name: "HTTP latency p50, one at a time", value: Math.round(percentile(hostLat, 50) * 100) / 100, unit: "ms", baseline: { name: "plain node:http p50", value: Math.round(percentile(plainLat, 50) * 100) / 100 } },
        { suite, name: "HTTP latency p99, one at a time", value: p99, unit: "ms", baseline: { name: "plain node:http p99", value: Math.round(percentile(plainLat, 99) * 100) / 100 }, target: "< 20 ms", pass: p99 < 20 },
        { suite, name: "start to ready (TypeScript fixture app, worker with tsx)", value: startMs, unit: "ms", target: "< 5000 ms", pass: startMs < 5000 },
      ];
    } finally {
      agent.destroy();
      await plain.close();
      await host.close();
    }
  },
};
