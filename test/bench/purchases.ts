/**
 * Purchases through the whole write side, at a stated concurrency: CONCURRENCY fans each buy, wait for their
 * purchase's final state, and buy again, until PURCHASES purchases are done. Each is timed from the moment its POST
 * is sent until its final event (PurchaseCompleted) is committed to the event store: POST -> PlacePurchase on the
 * command bus -> purchases -> the purchase process (sessions) -> concerts (optimistic concurrency on the concert's
 * stream) -> payments -> ticketing provider (an HTTP call to the app's simulated provider) -> purchases, each hop a
 * Table Storage commit with its outbox relayed to Service Bus, Kafka and Event Grid. Everything runs on this
 * machine: Azurite, the emulator (the app's tables on its Table endpoint, durable on a temp data dir, as `npm start --
 * --data-dir` keeps them) and the host in this process, the app in the host's worker process.
 * The final events arrive pushed (purchase-outcomes.ts: a bench subscription on the `events` topic), so waiting costs
 * the system no request per purchase; each is timed to its final event's time, as the table scan did before.
 * Baseline, same run, same concurrency: as many bare `POST /api/health` round trips through the same host (the HTTP
 * floor every purchase starts with; the rest is the write side's own work).
 *
 * Then cost as work grows (purchase-load.ts): OPEN LOOP steps at BENCH_PURCHASE_RATES (default 10,50,100,200
 * purchases/s) for BENCH_PURCHASE_STEP_SECONDS each (default 10), each step's purchases waited for (at most
 * BENCH_PURCHASE_STEP_WAIT_MS) before the next; the figures are drawn to bench-results/purchases-load.svg.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startSystemUnderTest } from "../system/system-under-test.js";
import { type BenchRow, type BenchSuite, percentile, round1 } from "./harness.js";
import { closedLoop, httpLoadClient } from "./http-load.js";
import { cpuPerUnitRow, cpuSince, processTreeCpu } from "./process-usage.js";
import { FUTURE_START } from "../helpers/future-start.js";
import { PurchaseOutcomes } from "./purchase-outcomes.js";
import { loadLadder } from "./purchase-load.js";

const suite = "purchases";
const CONCURRENCY = 16;
/** BENCH_PURCHASES makes a quick run possible; history compares the default. */
const PURCHASES = Number(process.env.BENCH_PURCHASES || 400);
const WARM_UP = 20;
const TIMEOUT_MS = 240_000;

const { request, close: closeClient } = httpLoadClient(CONCURRENCY * 2);

export const purchasesSuite: BenchSuite = {
  name: suite,
  async run(): Promise<BenchRow[]> {
    // On disk as `npm start -- --data-dir` keeps it: every table write waits for its fsync, as in Azure.
    const dataDir = mkdtempSync(path.join(tmpdir(), "bench-purchases-"));
    const sut = await startSystemUnderTest({ dataDir });
    let watcher: PurchaseOutcomes | undefined;
    try {
      const connectionString = sut.system.appSettings.ServiceBusConnection;
      watcher = await PurchaseOutcomes.start({ connectionString, emulatorHttpUrl: sut.system.emulator.http.url });
      const concerts = ["bench-hall-a", "bench-hall-b"];
      for (const concertId of concerts) {
        const res = await request(`${sut.url}/api/concerts`, "POST", JSON.stringify({ concertId, name: "Bench", venue: "Hall", startsAt: FUTURE_START, capacity: { standard: 1_000_000, vip: 1_000 }, prices: { standard: 5_000, vip: 20_000 } }));
        if (res.status !== 202) throw new Error(`POST /api/concerts answered ${res.status}: ${res.text}`);
        while ((await request(`${sut.url}/api/concerts/${concertId}`, "GET")).status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
      }

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
        const final = await watcher!.wait((JSON.parse(res.text) as { purchaseId: string }).purchaseId, TIMEOUT_MS);
        if (!record || !final) return;
        latencies.push(final.at - sent);
        outcomes.set(final.state, (outcomes.get(final.state) ?? 0) + 1);
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
      const completed = outcomes.get("completed") ?? 0;
      // Where the time goes: each function's invocation time (in the worker) over the measured purchases.
      const perFunction = ["purchases-create", "purchases", "purchase-process", "concerts", "payments", "ticketing-provider", "email"].map((fn): BenchRow => {
        const d = sut.invocations.filter((r) => r.functionName === fn).map((r) => r.durationMs).sort((a, b) => a - b);
        return { suite, name: `${fn} invocation p50 (${d.length} invocations)`, value: round1(percentile(d, 50)), unit: "ms" };
      });
      const at = `${CONCURRENCY} in flight, ${PURCHASES} purchases`;
      const ladder = await loadLadder({ url: sut.url, outcomes: watcher });
      return [
        { suite, name: `purchases per second, POST to completed (${at})`, value: round1(latencies.length / purchaseSeconds), unit: "per s", baseline: { name: "POST /api/health round trips per second, same concurrency", value: round1(baseline.length / baselineSeconds) } },
        { suite, name: `POST -> completed p50 (${at})`, value: round1(percentile(latencies, 50)), unit: "ms", baseline: { name: "POST /api/health p50", value: round1(percentile(baseline, 50)) } },
        { suite, name: `POST -> completed p99 (${at})`, value: round1(percentile(latencies, 99)), unit: "ms", baseline: { name: "POST /api/health p99", value: round1(percentile(baseline, 99)) } },
        { suite, name: `purchases completed of ${PURCHASES} (${refused} refused)`, value: completed, unit: "purchases", target: `= ${PURCHASES}`, pass: completed === PURCHASES },
        cpuPerUnitRow(suite, `CPU per purchase, all processes (${at})`, cpu, PURCHASES, purchaseSeconds),
        ...perFunction,
        ...ladder,
      ];
    } finally {
      if (process.env.AZURITE_DEBUG_LOG) await new Promise((r) => setTimeout(r, 120_000));
      await watcher?.close();
      closeClient();
      await sut.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
