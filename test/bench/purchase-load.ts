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
import { arrivalSchedule, beforeDeadline, runOpenLoop } from "./open-loop.js";
import { cpuPerUnitRow, cpuSince, processTreeCpu } from "./process-usage.js";
import type { PurchaseOutcomes } from "./purchase-outcomes.js";
import { lineChartSvg } from "./svg-chart.js";
import { FUTURE_START } from "../helpers/future-start.js";

const suite = "purchases";
export const CHART_FILE = "bench-results/purchases-load.svg";
/** Issue 17's targets, checked at the 100/s step. */
const TARGET_RATE = 100;
const TARGET_P99_MS = 50;
const TARGET_CPU_MS = 20;

/** Positive numbers, comma-separated, from the environment. */
export function envRates(text: string | undefined, fallback: number[]): number[] {
  if (text === undefined || text.trim() === "") return fallback;
  const parsed = text.split(",").map((r) => Number(r.trim()));
  if (parsed.some((r) => !Number.isFinite(r) || r <= 0)) {
    throw new Error(`BENCH_PURCHASE_RATES: purchases per second, comma-separated; got ${text}`);
  }
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

interface StepRun {
  purchases: number;
  latencies: number[];
  answers: number[];
  refused: number;
  pending: number;
  achieved: number;
  cpu: Map<string, number>;
  drainedSeconds: number;
  lateMs: number;
}

const totalMs = (cpu: Map<string, number>) => [...cpu.values()].reduce((a, b) => a + b, 0);
const sorted = (values: number[]) => [...values].sort((a, b) => a - b);

async function scheduleConcert(client: HttpLoadClient, url: string, concertId: string): Promise<void> {
  const capacity = { standard: 1_000_000, vip: 1_000 };
  const prices = { standard: 5_000, vip: 20_000 };
  const concert = { concertId, name: "Bench", venue: "Hall", startsAt: FUTURE_START, capacity, prices };
  const created = await client.request(`${url}/api/concerts`, "POST", JSON.stringify(concert));
  if (created.status !== 202) throw new Error(`POST /api/concerts answered ${created.status}: ${created.text}`);
  while ((await client.request(`${url}/api/concerts/${concertId}`, "GET")).status !== 200) {
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `POST /api/health` at the step's rate: latencies (sorted) and CPU per request, all processes. */
async function healthBaseline(client: HttpLoadClient, url: string, rate: number, count: number) {
  const latencies: number[] = [];
  const before = processTreeCpu();
  await runOpenLoop(arrivalSchedule(count, rate), async () => {
    const t = performance.now();
    if ((await client.request(`${url}/api/health`, "POST")).status === 200) latencies.push(performance.now() - t);
  });
  return { latencies: sorted(latencies), cpuPerRequest: totalMs(cpuSince(before)) / count };
}

interface StepOptions {
  client: HttpLoadClient;
  url: string;
  outcomes: PurchaseOutcomes;
  rate: number;
  seconds: number;
  waitMs: number;
}

async function offerPurchases({ client, url, outcomes, rate, seconds, waitMs }: StepOptions): Promise<StepRun> {
  const concertId = `bench-load-${rate}`;
  const arrivals = arrivalSchedule(Math.round(rate * seconds), rate);
  const out = { latencies: [] as number[], answers: [] as number[], refused: 0, pending: 0 };
  let lastFinal = 0;
  const firstPost = Date.now();
  const deadline = firstPost + arrivals[arrivals.length - 1] + waitMs;
  const cpuBefore = processTreeCpu();
  const run = await runOpenLoop(arrivals, async (i) => {
    const sentAt = Date.now();
    const fan = { id: `fan-${rate}-${i}`, email: `fan${i}@example.com` };
    const body = JSON.stringify({ concertId, fan, tier: "standard", quantity: 1 + (i % 4) });
    const posted = client.request(`${url}/api/purchases`, "POST", body);
    const res = await beforeDeadline(posted, deadline).catch(() => ({ status: 0, text: "" }));
    out.answers.push(Date.now() - sentAt);
    if (!res || res.status !== 202) {
      // No answer before the deadline is a purchase that never reached its final state in time.
      if (res) out.refused++;
      else out.pending++;
      return;
    }
    const { purchaseId } = JSON.parse(res.text) as { purchaseId: string };
    const outcome = await outcomes.wait(purchaseId, Math.max(0, deadline - Date.now()));
    if (!outcome) out.pending++;
    else if (outcome.state === "completed") {
      out.latencies.push(outcome.at - sentAt);
      lastFinal = Math.max(lastFinal, outcome.at);
    }
  });
  const cpu = cpuSince(cpuBefore);
  const achieved = out.latencies.length / Math.max(0.001, (lastFinal - firstPost) / 1000);
  return {
    ...out,
    purchases: arrivals.length,
    latencies: sorted(out.latencies),
    answers: sorted(out.answers),
    achieved,
    cpu,
    drainedSeconds: (Date.now() - firstPost) / 1000,
    lateMs: run.lateMs,
  };
}

type Health = { latencies: number[]; cpuPerRequest: number };

function stepRows(rate: number, run: StepRun, health: Health, waitMs: number): BenchRow[] {
  const behind = run.lateMs > 1000 ? `, load ${Math.round(run.lateMs)} ms behind schedule` : "";
  const at = `${rate}/s open loop, ${run.purchases} purchases${behind}`;
  const targeted = rate === TARGET_RATE;
  const p = (values: number[], q: number) => round1(percentile(values, q));
  const healthAt = (q: number) => ({
    name: `POST /api/health p${q}, ${rate}/s open loop`,
    value: p(health.latencies, q),
  });
  const completed = run.latencies.length;
  const cpuPer = totalMs(run.cpu) / Math.max(1, completed);
  const counts = `${completed} completed, ${run.refused} refused, ${run.pending} pending after ${waitMs / 1000} s`;
  return [
    {
      suite,
      name: `purchases completed per second (${at}; ${counts})`,
      value: round1(run.achieved),
      unit: "per s",
      baseline: { name: "offered", value: rate },
      ...(targeted ? { target: `>= ${TARGET_RATE} per s`, pass: run.achieved >= TARGET_RATE } : {}),
    },
    { suite, name: `POST -> completed p50 (${at})`, value: p(run.latencies, 50), unit: "ms", baseline: healthAt(50) },
    {
      suite,
      name: `POST -> completed p99 (${at})`,
      value: p(run.latencies, 99),
      unit: "ms",
      baseline: healthAt(99),
      ...(targeted ? { target: `< ${TARGET_P99_MS} ms`, pass: percentile(run.latencies, 99) < TARGET_P99_MS } : {}),
    },
    { suite, name: `POST answer p99 (${at})`, value: p(run.answers, 99), unit: "ms", baseline: healthAt(99) },
    {
      ...cpuPerUnitRow(
        suite,
        `CPU per completed purchase, all processes (${at}, drained in ${round1(run.drainedSeconds)} s)`,
        run.cpu,
        Math.max(1, completed),
        run.drainedSeconds,
      ),
      baseline: { name: "CPU per POST /api/health, all processes", value: round1(health.cpuPerRequest) },
      ...(targeted ? { target: `<= ${TARGET_CPU_MS} ms`, pass: cpuPer <= TARGET_CPU_MS } : {}),
    },
  ];
}

export async function loadLadder(options: { url: string; outcomes: PurchaseOutcomes }): Promise<BenchRow[]> {
  const rates = envRates(process.env.BENCH_PURCHASE_RATES, [10, 50, 100, 200]);
  const seconds = envNumber("BENCH_PURCHASE_STEP_SECONDS", 10);
  const waitMs = envNumber("BENCH_PURCHASE_STEP_WAIT_MS", 120_000);
  const client = httpLoadClient(512);
  const rows: BenchRow[] = [];
  const steps: Step[] = [];
  try {
    for (const rate of rates) {
      await scheduleConcert(client, options.url, `bench-load-${rate}`);
      const health = await healthBaseline(client, options.url, rate, Math.ceil(rate * Math.min(3, seconds)));
      const run = await offerPurchases({ client, url: options.url, outcomes: options.outcomes, rate, seconds, waitMs });
      const cpuPerPurchase = totalMs(run.cpu) / Math.max(1, run.latencies.length);
      const [p50, p99] = [percentile(run.latencies, 50), percentile(run.latencies, 99)];
      steps.push({ rate, achieved: run.achieved, p50, p99, cpuPerPurchase });
      rows.push(...stepRows(rate, run, health, waitMs));
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
      {
        label: "purchases/s",
        series: [
          { name: "achieved", values: steps.map((s) => s.achieved) },
          { name: "offered", values: x, dashed: true },
        ],
      },
      {
        label: "POST -> completed, ms",
        series: [
          { name: "p99", values: steps.map((s) => s.p99) },
          { name: "p50", values: steps.map((s) => s.p50) },
          { name: `p99 target at ${TARGET_RATE}/s`, values: x.map(() => TARGET_P99_MS), dashed: true },
        ],
      },
      {
        label: "CPU per purchase, ms",
        series: [
          { name: "all processes", values: steps.map((s) => s.cpuPerPurchase) },
          { name: "target", values: x.map(() => TARGET_CPU_MS), dashed: true },
        ],
      },
    ],
  });
  mkdirSync("bench-results", { recursive: true });
  writeFileSync(CHART_FILE, svg);
  console.error(`wrote ${CHART_FILE}`);
}
