/**
 * Cost as work grows (issue 17): purchases through the whole write side OPEN LOOP at a ladder of offered rates
 * (BENCH_PURCHASE_RATES, default 10,50,100,200 per second), each step BENCH_PURCHASE_STEP_SECONDS of arrivals
 * (default 10) on a concert of its own, then drained: every purchase waited for until its final state, at most
 * BENCH_PURCHASE_STEP_WAIT_MS (default 120 s) after the step's last arrival; what is still pending then is counted
 * (and loads the next step, which its rows then show). Per step: throughput achieved (completed purchases over the
 * time from the first POST to the last final state), POST -> final state p50/p99, POST answer p99, CPU per completed
 * purchase over all processes. Baseline per step, same run, same rate, just before: `POST /api/health` open loop
 * for up to 3 s (the HTTP floor) and its CPU per request. The figures are drawn to bench-results/purchases-load.svg.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { type BenchRow, percentile, round1 } from "./harness.js";
import { httpLoadClient, type HttpLoadClient } from "./http-load.js";
import { arrivalSchedule, runOpenLoop } from "./open-loop.js";
import { cpuPerUnitRow, cpuSince, processTreeCpu } from "./process-usage.js";
import type { PurchaseOutcomes } from "./purchase-outcomes.js";
import { lineChartSvg } from "./svg-chart.js";
import { FUTURE_START } from "../helpers/future-start.js";

const suite = "purchases";
export const CHART_FILE = "bench-results/purchases-load.svg";

/** Positive numbers, comma-separated, from the environment. */
export function envRates(text: string | undefined, fallback: number[]): number[] {
  if (text === undefined || text.trim() === "") return fallback;
  const parsed = text.split(",").map((r) => Number(r.trim()));
  if (parsed.some((r) => !Number.isFinite(r) || r <= 0)) throw new Error(`BENCH_PURCHASE_RATES: purchases per second, comma-separated; got ${text}`);
  return parsed;
}

function envNumber(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === "") return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}: a number > 0, got ${text}`);
  return n;
}

interface Step {
  rate: number;
  achieved: number;
  p50: number;
  p99: number;
  cpuPerPurchase: number;
}

const totalMs = (cpu: Map<string, number>) => [...cpu.values()].reduce((a, b) => a + b, 0);

export async function loadLadder(options: { url: string; outcomes: PurchaseOutcomes }): Promise<BenchRow[]> {
  const rates = envRates(process.env.BENCH_PURCHASE_RATES, [10, 50, 100, 200]);
  const seconds = envNumber("BENCH_PURCHASE_STEP_SECONDS", 10);
  const waitMs = envNumber("BENCH_PURCHASE_STEP_WAIT_MS", 120_000);
  const client: HttpLoadClient = httpLoadClient(512);
  const { url, outcomes } = options;
  const rows: BenchRow[] = [];
  const steps: Step[] = [];
  try {
    for (const rate of rates) {
      const concertId = `bench-load-${rate}`;
      const concert = { concertId, name: "Bench", venue: "Hall", startsAt: FUTURE_START, capacity: { standard: 1_000_000, vip: 1_000 }, prices: { standard: 5_000, vip: 20_000 } };
      const created = await client.request(`${url}/api/concerts`, "POST", JSON.stringify(concert));
      if (created.status !== 202) throw new Error(`POST /api/concerts answered ${created.status}: ${created.text}`);
      while ((await client.request(`${url}/api/concerts/${concertId}`, "GET")).status !== 200) await new Promise((r) => setTimeout(r, 100));

      const health: number[] = [];
      const healthCount = Math.ceil(rate * Math.min(3, seconds));
      const healthCpuBefore = processTreeCpu();
      await runOpenLoop(arrivalSchedule(healthCount, rate), async () => {
        const t = performance.now();
        if ((await client.request(`${url}/api/health`, "POST")).status === 200) health.push(performance.now() - t);
      });
      const healthCpu = totalMs(cpuSince(healthCpuBefore)) / healthCount;
      health.sort((a, b) => a - b);

      const arrivals = arrivalSchedule(Math.round(rate * seconds), rate);
      const answers: number[] = [];
      const latencies: number[] = [];
      let refused = 0;
      let pending = 0;
      let lastFinal = 0;
      const firstPost = Date.now();
      const deadline = firstPost + arrivals[arrivals.length - 1] + waitMs;
      const cpuBefore = processTreeCpu();
      const run = await runOpenLoop(arrivals, async (i) => {
        const sentAt = Date.now();
        const body = JSON.stringify({ concertId, fan: { id: `fan-${rate}-${i}`, email: `fan${i}@example.com` }, tier: "standard", quantity: 1 + (i % 4) });
        const res = await client.request(`${url}/api/purchases`, "POST", body).catch(() => ({ status: 0, text: "" }));
        answers.push(Date.now() - sentAt);
        if (res.status !== 202) {
          refused++;
          return;
        }
        const outcome = await outcomes.wait((JSON.parse(res.text) as { purchaseId: string }).purchaseId, Math.max(0, deadline - Date.now()));
        if (!outcome) {
          pending++;
          return;
        }
        if (outcome.state !== "completed") return;
        latencies.push(outcome.at - sentAt);
        lastFinal = Math.max(lastFinal, outcome.at);
      });
      const cpu = cpuSince(cpuBefore);
      const drained = (Date.now() - firstPost) / 1000;
      latencies.sort((a, b) => a - b);
      answers.sort((a, b) => a - b);
      const achieved = latencies.length / Math.max(0.001, (lastFinal - firstPost) / 1000);
      const cpuPer = totalMs(cpu) / Math.max(1, latencies.length);
      steps.push({ rate, achieved, p50: percentile(latencies, 50), p99: percentile(latencies, 99), cpuPerPurchase: cpuPer });
      const behind = run.lateMs > 1000 ? `, load ${Math.round(run.lateMs)} ms behind schedule` : "";
      const at = `${rate}/s open loop, ${arrivals.length} purchases${behind}`;
      const hundred = rate === 100;
      rows.push(
        { suite, name: `purchases completed per second (${at}; ${latencies.length} completed, ${refused} refused, ${pending} pending after ${waitMs / 1000} s)`, value: round1(achieved), unit: "per s", baseline: { name: "offered", value: rate }, ...(hundred ? { target: ">= 100 per s", pass: achieved >= 100 } : {}) },
        { suite, name: `POST -> completed p50 (${at})`, value: round1(percentile(latencies, 50)), unit: "ms", baseline: { name: `POST /api/health p50, ${rate}/s open loop`, value: round1(percentile(health, 50)) } },
        { suite, name: `POST -> completed p99 (${at})`, value: round1(percentile(latencies, 99)), unit: "ms", baseline: { name: `POST /api/health p99, ${rate}/s open loop`, value: round1(percentile(health, 99)) }, ...(hundred ? { target: "< 50 ms", pass: percentile(latencies, 99) < 50 } : {}) },
        { suite, name: `POST /api/purchases answer p99 (${at})`, value: round1(percentile(answers, 99)), unit: "ms", baseline: { name: `POST /api/health p99, ${rate}/s open loop`, value: round1(percentile(health, 99)) } },
        {
          ...cpuPerUnitRow(suite, `CPU per completed purchase, all processes (${at}, drained in ${round1(drained)} s)`, cpu, Math.max(1, latencies.length), drained),
          baseline: { name: "CPU per POST /api/health, all processes", value: round1(healthCpu) },
          ...(hundred ? { target: "<= 20 ms", pass: cpuPer <= 20 } : {}),
        },
      );
    }
  } finally {
    client.close();
  }
  writeChart(steps);
  return rows;
}

function writeChart(steps: Step[]): void {
  const x = steps.map((s) => s.rate);
  const svg = lineChartSvg({
    title: "Purchases, whole write side, open loop (npm run bench -- purchases)",
    xLabel: "offered purchases per second",
    x,
    panels: [
      { label: "purchases/s", series: [{ name: "achieved", values: steps.map((s) => s.achieved) }, { name: "offered", values: x, dashed: true }] },
      { label: "POST -> completed, ms", series: [{ name: "p99", values: steps.map((s) => s.p99) }, { name: "p50", values: steps.map((s) => s.p50) }, { name: "p99 target at 100/s", values: x.map(() => 50), dashed: true }] },
      { label: "CPU per purchase, ms", series: [{ name: "all processes", values: steps.map((s) => s.cpuPerPurchase) }, { name: "target", values: x.map(() => 20), dashed: true }] },
    ],
  });
  mkdirSync("bench-results", { recursive: true });
  writeFileSync(CHART_FILE, svg);
  console.error(`wrote ${CHART_FILE}`);
}
