/**
 * The dashboard's cost (issue 18): Service Bus send throughput of the real SDK against the emulator while a real
 * headless Chromium (Debian's, as the e2e tests use) shows the dashboard's Service Bus section with live updates,
 * next to the same emulator with no page open; target >= 95% (the live updates cost < 5%). A second row, for
 * information, puts the flow recorder itself (on whenever the dashboard is) next to an emulator started without it.
 * Runs alternate between the sides, three times, and compare medians. On a shared machine throughput swings with
 * other load, so the emulator's CPU time per message sent is reported beside it (less sensitive to other load).
 */
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ServiceBusClient } from "@azure/service-bus";
import { launchChromium } from "../e2e/chromium.js";
import { type BenchRow, type BenchSuite, percentile, percentOf } from "./harness.js";
import { benchQueue } from "./servicebus-config.js";
import { sendRate } from "./servicebus-workload.js";

const suite = "dashboard";
const repetitions = 3;
const count = 50_000;
const script = fileURLToPath(new URL("./dashboard-server-process.ts", import.meta.url));

interface Emulator {
  child: ChildProcess;
  connectionString: string;
  httpUrl: string;
}

function start(dashboard: "on" | "off"): Promise<Emulator> {
  const stdio = ["ignore", "inherit", "inherit", "ipc"] as const;
  const child = fork(script, [dashboard], { execArgv: ["--import", "tsx"], stdio: [...stdio] });
  return new Promise((resolve, reject) => {
    child.once("message", (m: { connectionString: string; httpUrl: string }) => resolve({ child, ...m }));
    child.once("exit", (code) => reject(new Error(`the emulator child exited with ${code}`)));
  });
}

function cpuMicros(emulator: Emulator): Promise<number> {
  return new Promise((resolve) => {
    const onMessage = (m: { type: string; user: number; system: number }) => {
      if (m.type !== "cpu") return;
      emulator.child.off("message", onMessage);
      resolve(m.user + m.system);
    };
    emulator.child.on("message", onMessage);
    emulator.child.send({ type: "cpu" });
  });
}

async function stop(emulator: Emulator): Promise<void> {
  const exited = new Promise((resolve) => emulator.child.once("exit", resolve));
  emulator.child.send({ type: "close" });
  await exited;
}

interface Figures {
  rate: number;
  /** The emulator's CPU time per message, in microseconds (the untimed warm-up batch included). */
  cpuUs: number;
}

/** One timed send run on a fresh emulator; `watch` opens the page on it first and keeps it open while sending. */
type Watch = (httpUrl: string) => Promise<() => Promise<void>>;

async function measure(dashboard: "on" | "off", watch?: Watch): Promise<Figures> {
  const emulator = await start(dashboard);
  const close = watch ? await watch(emulator.httpUrl) : async () => undefined;
  const client = new ServiceBusClient(emulator.connectionString);
  try {
    const before = await cpuMicros(emulator);
    const rate = await sendRate(client, benchQueue, count);
    return { rate, cpuUs: ((await cpuMicros(emulator)) - before) / count };
  } finally {
    await client.close();
    await close();
    await stop(emulator);
  }
}

const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);

async function run(): Promise<BenchRow[]> {
  const browser = await launchChromium();
  const watch = async (httpUrl: string) => {
    const page = await browser.newPage();
    await page.goto(httpUrl);
    await page.locator("span.live.on").waitFor();
    // Let the new page's renderer finish loading before the timed run: the run measures a page that is open, not
    // one that is starting.
    await page.locator('tr[data-entity="bench-queue"]').waitFor();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return () => page.close();
  };
  const alone: Figures[] = [];
  const watched: Figures[] = [];
  const off: Figures[] = [];
  const show = (f: Figures) => `${Math.round(f.rate)} msg/s ${f.cpuUs.toFixed(1)} us/msg`;
  try {
    for (let i = 0; i < repetitions; i++) {
      off.push(await measure("off"));
      alone.push(await measure("on"));
      watched.push(await measure("on", watch));
      const line = `off ${show(off[i])}; on ${show(alone[i])}; watched ${show(watched[i])}`;
      process.stderr.write(`  dashboard: run ${i + 1}: ${line}\n`);
    }
  } finally {
    await browser.close();
  }
  const withPage = median(watched.map((f) => f.rate));
  const withoutPage = median(alone.map((f) => f.rate));
  const withoutDashboard = median(off.map((f) => f.rate));
  const cpu = (runs: Figures[]) => Math.round(median(runs.map((f) => f.cpuUs)) * 10) / 10;
  return [
    {
      suite,
      name: `send 1 KB x ${count}, dashboard open in Chromium (live)`,
      value: withPage,
      unit: "msg/s",
      baseline: { name: "no page open", value: withoutPage },
      target: ">= 95% of no page open",
      pass: percentOf(withPage, withoutPage) >= 95,
    },
    {
      suite,
      name: `send 1 KB x ${count}, flow recorder on, no page open`,
      value: withoutPage,
      unit: "msg/s",
      baseline: { name: "dashboard: false", value: withoutDashboard },
    },
    {
      suite,
      name: "emulator CPU per message sent, dashboard open in Chromium",
      value: cpu(watched),
      unit: "us",
      baseline: { name: "no page open", value: cpu(alone) },
    },
    {
      suite,
      name: "emulator CPU per message sent, flow recorder on, no page open",
      value: cpu(alone),
      unit: "us",
      baseline: { name: "dashboard: false", value: cpu(off) },
    },
  ];
}

export const dashboardSuite: BenchSuite = { name: suite, run };
