/**
 * Purchases through the whole write side, at a stated concurrency: CONCURRENCY fans each buy, wait for their
 * purchase's final state, and buy again, until PURCHASES purchases are done. Each is timed from the moment its POST
 * is sent until its final event (PurchaseCompleted) is committed to the event store: POST -> PlacePurchase on the
 * command bus -> purchases -> the purchase process (sessions) -> concerts (optimistic concurrency on the concert's
 * stream) -> payments -> ticketing provider (an HTTP call to the app's simulated provider) -> purchases, each hop a
 * Table Storage commit with its outbox relayed to Service Bus, Kafka and Event Grid. Everything runs on this
 * machine: Azurite, the emulator (the app's tables on its Table endpoint, durable on a temp data dir, as `npm start --
 * --data-dir` keeps them) and the host in this process, the app in the host's worker process.
 * The final events are found by scanning the event store's table for rows written since the last scan (one query
 * every 100 ms), so waiting costs the system no extra request per purchase.
 * Baseline, same run, same concurrency: as many bare `POST /api/health` round trips through the same host (the HTTP
 * floor every purchase starts with; the rest is the write side's own work).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { odata, type TableClient } from "@azure/data-tables";
import { startSystemUnderTest } from "../system/system-under-test.js";
import { type BenchRow, type BenchSuite, percentile, round1 } from "./harness.js";
import { closedLoop, httpLoadClient } from "./http-load.js";
import { cpuPerUnitRow, cpuSince, processTreeCpu } from "./process-usage.js";
import { FUTURE_START } from "../helpers/future-start.js";

const suite = "purchases";
const CONCURRENCY = 16;
const PURCHASES = 400;
const WARM_UP = 20;
const TIMEOUT_MS = 240_000;

const { request, close: closeClient } = httpLoadClient(CONCURRENCY * 2);

const FINAL_TYPES = ["MusicFest.Purchases.PurchaseCompleted.v1", "MusicFest.Purchases.PurchaseCancelled.v1"];

/** Watches table `events` for final purchase events; resolves each purchase's waiter with the event's commit time. */
class FinalStateWatcher {
  private readonly waiters = new Map<string, (at: { type: string; at: number }) => void>();
  private readonly seen = new Map<string, { type: string; at: number }>();
  private since = new Date(Date.now() - 60_000);
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly table: TableClient) {}

  start(): void {
    const tick = async () => {
      try {
        await this.scan();
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode !== 404) console.error(`bench watcher: ${(err as Error).message}`);
      }
      this.timer = setTimeout(tick, 100);
    };
    void tick();
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  wait(purchaseId: string): Promise<{ type: string; at: number }> {
    const known = this.seen.get(purchaseId);
    if (known) return Promise.resolve(known);
    return new Promise((resolve) => this.waiters.set(purchaseId, resolve));
  }

  private async scan(): Promise<void> {
    // Rows written since a little before the last scan (Table Storage timestamps are the server's commit times).
    const from = new Date(this.since.getTime() - 2_000);
    this.since = new Date();
    const filter = odata`Timestamp ge ${from} and (type eq ${FINAL_TYPES[0]} or type eq ${FINAL_TYPES[1]})`;
    for await (const row of this.table.listEntities<{ type: string; event: string }>({ queryOptions: { filter, select: ["PartitionKey", "type", "event"] } })) {
      const purchaseId = row.partitionKey!.replace(/^purchase-/, "");
      if (this.seen.has(purchaseId)) continue;
      const found = { type: row.type, at: Date.parse((JSON.parse(row.event) as { time: string }).time) };
      this.seen.set(purchaseId, found);
      this.waiters.get(purchaseId)?.(found);
      this.waiters.delete(purchaseId);
    }
  }
}


export const purchasesSuite: BenchSuite = {
  name: suite,
  async run(): Promise<BenchRow[]> {
    // On disk as `npm start -- --data-dir` keeps it: every table write waits for its fsync, as in Azure.
    const dataDir = mkdtempSync(path.join(tmpdir(), "bench-purchases-"));
    const sut = await startSystemUnderTest({ dataDir });
    const watcher = new FinalStateWatcher(sut.table("events"));
    try {
      const concerts = ["bench-hall-a", "bench-hall-b"];
      for (const concertId of concerts) {
        const res = await request(`${sut.url}/api/concerts`, "POST", JSON.stringify({ concertId, name: "Bench", venue: "Hall", startsAt: FUTURE_START, capacity: { standard: 1_000_000, vip: 1_000 }, prices: { standard: 5_000, vip: 20_000 } }));
        if (res.status !== 202) throw new Error(`POST /api/concerts answered ${res.status}: ${res.text}`);
        while ((await request(`${sut.url}/api/concerts/${concertId}`, "GET")).status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      watcher.start();

      const latencies: number[] = [];
      const outcomes = new Map<string, number>();
      let refused = 0;
      const buy = async (i: number, record: boolean) => {
        const sent = Date.now();
        const body = JSON.stringify({ concertId: concerts[i % concerts.length], fan: { id: `fan-${i}`, email: `fan${i}@example.com` }, tier: "standard", quantity: 1 + (i % 4) });
        const res = await request(`${sut.url}/api/purchases`, "POST", body);
        if (res.status !== 202) {
          refused++;
          return;
        }
        const final = await watcher.wait((JSON.parse(res.text) as { purchaseId: string }).purchaseId);
        if (!record) return;
        latencies.push(final.at - sent);
        outcomes.set(final.type, (outcomes.get(final.type) ?? 0) + 1);
      };
      // Warm up: the worker's first calls load the SDKs, open the links and create the tables.
      await closedLoop(CONCURRENCY, WARM_UP, (i) => buy(1_000_000 + i, false));

      const deadline = setTimeout(() => {
        console.error(`purchases bench: not done after ${TIMEOUT_MS} ms (${latencies.length} of ${PURCHASES})`);
        process.exit(1);
      }, TIMEOUT_MS);
      const cpuBefore = processTreeCpu();
      const started = performance.now();
      await closedLoop(CONCURRENCY, PURCHASES, (i) => buy(i, true));
      const purchaseSeconds = (performance.now() - started) / 1000;
      const cpu = cpuSince(cpuBefore);
      clearTimeout(deadline);

      const baseline: number[] = [];
      const baselineStarted = performance.now();
      await closedLoop(CONCURRENCY, PURCHASES, async () => {
        const t = performance.now();
        const res = await request(`${sut.url}/api/health`, "POST");
        if (res.status !== 200) throw new Error(`POST /api/health answered ${res.status}`);
        baseline.push(performance.now() - t);
      });
      const baselineSeconds = (performance.now() - baselineStarted) / 1000;

      latencies.sort((a, b) => a - b);
      baseline.sort((a, b) => a - b);
      const completed = outcomes.get(FINAL_TYPES[0]) ?? 0;
      // Where the time goes: each function's invocation time (in the worker) over the measured purchases.
      const perFunction = ["purchases-create", "purchases", "purchase-process", "concerts", "payments", "ticketing-provider", "email"].map((fn): BenchRow => {
        const d = sut.invocations.filter((r) => r.functionName === fn).map((r) => r.durationMs).sort((a, b) => a - b);
        return { suite, name: `${fn} invocation p50 (${d.length} invocations)`, value: round1(percentile(d, 50)), unit: "ms" };
      });
      const at = `${CONCURRENCY} in flight, ${PURCHASES} purchases`;
      return [
        { suite, name: `purchases per second, POST to completed (${at})`, value: round1(latencies.length / purchaseSeconds), unit: "per s", baseline: { name: "POST /api/health round trips per second, same concurrency", value: round1(baseline.length / baselineSeconds) } },
        { suite, name: `POST -> completed p50 (${at})`, value: round1(percentile(latencies, 50)), unit: "ms", baseline: { name: "POST /api/health p50", value: round1(percentile(baseline, 50)) } },
        { suite, name: `POST -> completed p99 (${at})`, value: round1(percentile(latencies, 99)), unit: "ms", baseline: { name: "POST /api/health p99", value: round1(percentile(baseline, 99)) } },
        { suite, name: `purchases completed of ${PURCHASES} (${refused} refused)`, value: completed, unit: "purchases", target: `= ${PURCHASES}`, pass: completed === PURCHASES },
        cpuPerUnitRow(suite, `CPU per purchase, all processes (${at})`, cpu, PURCHASES, purchaseSeconds),
        ...perFunction,
      ];
    } finally {
      if (process.env.AZURITE_DEBUG_LOG) await new Promise((r) => setTimeout(r, 120_000));
      watcher.stop();
      closeClient();
      await sut.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
