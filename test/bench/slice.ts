/**
 * The first slice under a steady load: 100 purchases/s for 30 s (open loop: each POST leaves on schedule whatever
 * the earlier ones are doing), each timed from the moment its POST is sent until the notify-fan function recorded
 * the notification (POST -> Service Bus -> payment and ticketing provider -> Service Bus -> purchase process ->
 * Event Grid -> notify-fan, with Table Storage reads and writes on the way). Everything runs on this machine:
 * Azurite, the emulator and the host in this process, the app in the host's worker process.
 * Baseline, same run, same rate: the host's bare HTTP round trip (GET /api/health, 100 requests/s for 10 s).
 */
import http from "node:http";
import { TableClient } from "@azure/data-tables";
import { startSystemUnderTest } from "../system/system-under-test.js";
import { type BenchRow, type BenchSuite, percentile } from "./harness.js";

const suite = "slice";
const RATE = 100;
const SLICE_SECONDS = 30;
const BASELINE_SECONDS = 10;
const DRAIN_TIMEOUT_MS = 180_000;

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function request(url: string, method: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers: body ? { "content-type": "application/json", "content-length": Buffer.byteLength(body) } : {} }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Calls `send(i)` at `rate` per second for `seconds`, on schedule; resolves when every call has settled. */
async function openLoop(rate: number, seconds: number, send: (i: number) => Promise<void>): Promise<void> {
  const total = rate * seconds;
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(send(i));
  }
  await Promise.all(inFlight);
}

const round = (n: number) => Math.round(n * 10) / 10;

async function notifiedAt(table: TableClient): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  try {
    for await (const e of table.listEntities<{ notifiedAt: string }>({ queryOptions: { select: ["PartitionKey", "notifiedAt"] } })) out.set(e.partitionKey!, Date.parse(e.notifiedAt));
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) throw err;
  }
  return out;
}

export const sliceSuite: BenchSuite = {
  name: suite,
  async run(): Promise<BenchRow[]> {
    const sut = await startSystemUnderTest();
    try {
      const health = `${sut.url}/api/health`;
      const purchases = `${sut.url}/api/purchases`;
      // Warm up: the worker's first calls load the SDKs and create the tables.
      for (let i = 0; i < 20; i++) await request(purchases, "POST", JSON.stringify({ concertId: "warm-up", fan: { id: `w${i}`, email: "w@example.com" }, tickets: 1 }));

      const baseline: number[] = [];
      await openLoop(RATE, BASELINE_SECONDS, async () => {
        const t = performance.now();
        const res = await request(health, "GET");
        if (res.status !== 200) throw new Error(`GET /api/health answered ${res.status}`);
        baseline.push(performance.now() - t);
      });

      const sentAt = new Map<string, number>();
      const postLatency: number[] = [];
      let refused = 0;
      await openLoop(RATE, SLICE_SECONDS, async (i) => {
        const sent = Date.now();
        const t = performance.now();
        const res = await request(purchases, "POST", JSON.stringify({ concertId: "bench-night", fan: { id: `fan-${i}`, email: `fan${i}@example.com` }, tickets: 1 + (i % 4) }));
        postLatency.push(performance.now() - t);
        if (res.status !== 202) {
          refused++;
          return;
        }
        sentAt.set((JSON.parse(res.text) as { id: string }).id, sent);
      });
      const loadEnded = Date.now();

      const table = sut.table("notifications");
      let notified = new Map<string, number>();
      const deadline = Date.now() + DRAIN_TIMEOUT_MS;
      while (Date.now() < deadline) {
        notified = await notifiedAt(table);
        if ([...sentAt.keys()].every((id) => notified.has(id))) break;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      const latencies = [...sentAt].filter(([id]) => notified.has(id)).map(([id, sent]) => notified.get(id)! - sent).sort((a, b) => a - b);
      const lastNotified = Math.max(...[...sentAt.keys()].map((id) => notified.get(id) ?? 0));
      const firstSent = Math.min(...sentAt.values());
      baseline.sort((a, b) => a - b);
      postLatency.sort((a, b) => a - b);
      const total = RATE * SLICE_SECONDS;
      return [
        { suite, name: `POST -> notification p50, ${RATE} purchases/s for ${SLICE_SECONDS} s`, value: round(percentile(latencies, 50)), unit: "ms", baseline: { name: "host HTTP round trip p50 (GET /api/health)", value: round(percentile(baseline, 50)) } },
        { suite, name: `POST -> notification p99, ${RATE} purchases/s for ${SLICE_SECONDS} s`, value: round(percentile(latencies, 99)), unit: "ms", baseline: { name: "host HTTP round trip p99 (GET /api/health)", value: round(percentile(baseline, 99)) } },
        { suite, name: "POST /api/purchases response p50 under that load", value: round(percentile(postLatency, 50)), unit: "ms", baseline: { name: "host HTTP round trip p50", value: round(percentile(baseline, 50)) } },
        { suite, name: "POST /api/purchases response p99 under that load", value: round(percentile(postLatency, 99)), unit: "ms", baseline: { name: "host HTTP round trip p99", value: round(percentile(baseline, 99)) } },
        { suite, name: `purchases notified of ${total} sent (${refused} refused)`, value: latencies.length, unit: "purchases", target: `= ${total}`, pass: latencies.length === total },
        { suite, name: "last notification after the last POST was sent", value: Math.max(0, lastNotified - loadEnded), unit: "ms" },
        // Below the offered 100/s, purchases queue up and the latency above is mostly waiting in that queue.
        { suite, name: "purchases notified per second, first POST to last notification", value: round(latencies.length / ((lastNotified - firstSent) / 1000)), unit: "purchases/s", baseline: { name: "offered rate", value: RATE } },
      ];
    } finally {
      agent.destroy();
      await sut.close();
    }
  },
};
