/**
 * Event Grid benchmark (issue 4): publish-to-delivery through the emulator (publisher and webhook in this process, the
 * emulator in a child process), next to a plain HTTP POST from this process to a plain server in the same child as the
 * baseline. Both sides publish with the same keep-alive node:http client and the same event JSON, one event per
 * request. Targets: delivered events/s >= 50% of the baseline's POSTs/s; p99 publish-to-delivery < 20 ms at 1,000
 * events/s. The CPU time per event of both processes is reported too, in total and per process: the emulator path
 * makes two HTTP exchanges per event (publish, then delivery) where the baseline makes one, and CPU time stays
 * meaningful when other work shares the machine, which moves the rates a lot.
 *
 * What is the same on both paths: the event JSON (one event per request), the publisher (node:http, as the SDK's own
 * HTTP client, with one keep-alive Agent), and the number of publishes in flight. The emulator's completion point is
 * the webhook receiving the event (the webhook runs in this process, so its CPU counts on the emulator side); the
 * baseline's is the POST's answer.
 */
import { type ChildProcess, fork } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { type BenchRow, type BenchSuite, percentOf, percentile } from "./harness.js";

const suite = "eventgrid";
const throughputCount = 5_000;
const warmUpCount = 1_000;
const concurrency = 16;
const pacedRate = 1_000;
const pacedSeconds = 3;
const repetitions = 5;

interface Child {
  endpoint: string;
  key: string;
  plainUrl: string;
  /** CPU time (user + system) the child has used so far, in microseconds. */
  cpu(): Promise<number>;
  close(): Promise<void>;
}

interface Webhook {
  url: string;
  /** Called with each delivered event id and the time it arrived. */
  onEvent: (id: string, at: number) => void;
  close(): Promise<void>;
}

async function startWebhook(): Promise<Webhook> {
  const hook: Webhook = { url: "", onEvent: () => undefined, close: async () => undefined };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const at = performance.now();
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { id: string; data: { validationCode?: string } }[];
      if (req.headers["aeg-event-type"] === "SubscriptionValidation") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ validationResponse: body[0].data.validationCode }));
        return;
      }
      res.writeHead(200, { "content-length": "0" });
      res.end();
      for (const e of body) hook.onEvent(e.id, at);
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  hook.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
  hook.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return hook;
}

async function startChild(webhookUrl: string): Promise<Child> {
  const script = fileURLToPath(new URL("./eventgrid-server-process.ts", import.meta.url));
  // BENCH_CPU_PROF=DIR writes a V8 CPU profile of the emulator child into DIR.
  const profileDir = process.env.BENCH_CPU_PROF;
  const child: ChildProcess = fork(script, [webhookUrl], {
    execArgv: ["--import", "tsx", ...(profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [])],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const ready = await new Promise<{ endpoint: string; key: string; plainUrl: string }>((resolve, reject) => {
    child.once("message", (m) => resolve(m as never));
    child.once("exit", (code) => reject(new Error(`Event Grid bench child exited with ${code}`)));
  });
  return {
    ...ready,
    cpu: () =>
      new Promise<number>((resolve) => {
        const onMessage = (m: { type: string; micros: number }) => {
          if (m.type !== "cpu") return;
          child.off("message", onMessage);
          resolve(m.micros);
        };
        child.on("message", onMessage);
        child.send({ type: "cpu" });
      }),
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.send({ type: "close" });
      await exited;
    },
  };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function post(url: string, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", agent, headers: { ...headers, "content-length": String(Buffer.byteLength(body)) } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(body);
  });
}

function eventJson(id: string): string {
  return JSON.stringify([
    { id, eventType: "Bench.TicketSold", subject: `tickets/${id}`, eventTime: new Date().toISOString(), dataVersion: "1.0", data: { seat: "A-12", price: 42.5, fan: "f-1" } },
  ]);
}

interface Target {
  url: string;
  headers: Record<string, string>;
  /** Whether completion is the webhook delivery (emulator) or the POST's answer (baseline). */
  viaWebhook: boolean;
}

/** Sends `count` events with `concurrency` requests in flight; resolves with events/s at the completion point. */
async function throughput(target: Target, hook: Webhook, count: number, prefix: string): Promise<number> {
  let delivered = 0;
  let allDelivered: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (allDelivered = resolve));
  hook.onEvent = (id) => {
    if (id.startsWith(prefix) && ++delivered === count) allDelivered();
  };
  const start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const id = `${prefix}${next++}`;
        const status = await post(target.url, target.headers, eventJson(id));
        if (status !== 200) throw new Error(`publish answered ${status}`);
      }
    }),
  );
  if (target.viaWebhook) await done;
  return count / ((performance.now() - start) / 1000);
}

/** Open loop at `rate` events/s: each event's latency from its send to its delivery (or to the POST's answer). */
async function pacedLatency(target: Target, hook: Webhook, prefix: string): Promise<number[]> {
  const total = pacedRate * pacedSeconds;
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let settle: () => void = () => undefined;
  const allDone = new Promise<void>((resolve) => (settle = resolve));
  const record = (id: string, at: number) => {
    const sent = sentAt.get(id);
    if (sent === undefined) return;
    latencies.push(at - sent);
    if (latencies.length === total) settle();
  };
  hook.onEvent = record;
  const start = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * pacedRate) + 1);
      for (; sent < due; sent++) {
        const id = `${prefix}${sent}`;
        sentAt.set(id, performance.now());
        void post(target.url, target.headers, eventJson(id)).then((status) => {
          if (status !== 200) throw new Error(`publish answered ${status}`);
          if (!target.viaWebhook) record(id, performance.now());
        });
      }
      if (sent < total) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  await allDone;
  return latencies.sort((a, b) => a - b);
}

function median(values: number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

async function run(): Promise<BenchRow[]> {
  const hook = await startWebhook();
  const child = await startChild(hook.url);
  try {
    const emulator: Target = {
      url: `${child.endpoint}?api-version=2018-01-01`,
      headers: { "content-type": "application/json", "aeg-sas-key": child.key },
      viaWebhook: true,
    };
    const baseline: Target = { url: child.plainUrl, headers: { "content-type": "application/json", "aeg-sas-key": child.key }, viaWebhook: false };

    await throughput(emulator, hook, warmUpCount, "warm-e-");
    await throughput(baseline, hook, warmUpCount, "warm-b-");
    const rates = { emulator: [] as number[], baseline: [] as number[] };
    const cpu = { emulator: [] as number[], baseline: [] as number[] };
    const childCpu = { emulator: [] as number[], baseline: [] as number[] };
    const parentCpu = { emulator: [] as number[], baseline: [] as number[] };
    // CPU time per event in both processes: unlike rates, it barely moves when other work shares the machine.
    const measured = async (target: Target, prefix: string, side: "emulator" | "baseline") => {
      const [parentBefore, childBefore] = [process.cpuUsage(), await child.cpu()];
      rates[side].push(await throughput(target, hook, throughputCount, prefix));
      const parent = process.cpuUsage(parentBefore);
      const childUs = (await child.cpu()) - childBefore;
      cpu[side].push((parent.user + parent.system + childUs) / throughputCount);
      childCpu[side].push(childUs / throughputCount);
      parentCpu[side].push((parent.user + parent.system) / throughputCount);
    };
    for (let r = 0; r < repetitions; r++) {
      await measured(emulator, `t${r}-e-`, "emulator");
      await measured(baseline, `t${r}-b-`, "baseline");
    }
    const emulatorLatency = await pacedLatency(emulator, hook, "l-e-");
    const baselineLatency = await pacedLatency(baseline, hook, "l-b-");

    const eps = median(rates.emulator);
    const baseEps = median(rates.baseline);
    const p = (sorted: number[], q: number) => Math.round(percentile(sorted, q) * 100) / 100;
    const p99 = p(emulatorLatency, 99);
    return [
      {
        suite,
        name: `publish -> webhook delivery, ${throughputCount.toLocaleString("en-US")} events, ${concurrency} publishers`,
        value: eps,
        unit: "events/s",
        baseline: { name: "plain HTTP POST", value: baseEps },
        target: ">= 50% of baseline",
        pass: percentOf(eps, baseEps) >= 50,
      },
      {
        suite,
        name: "CPU per event, both processes (publisher + webhook, emulator or plain server)",
        value: median(cpu.emulator),
        unit: "us",
        baseline: { name: "plain HTTP POST", value: median(cpu.baseline) },
      },
      {
        suite,
        name: "  child process: emulator (publish route + delivery client) or plain server",
        value: median(childCpu.emulator),
        unit: "us",
        baseline: { name: "plain server", value: median(childCpu.baseline) },
      },
      {
        suite,
        name: "  bench process: publisher (+ webhook on the emulator path)",
        value: median(parentCpu.emulator),
        unit: "us",
        baseline: { name: "publisher", value: median(parentCpu.baseline) },
      },
      {
        suite,
        name: `publish -> delivery latency p50 at ${pacedRate.toLocaleString("en-US")} events/s`,
        value: p(emulatorLatency, 50),
        unit: "ms",
        baseline: { name: "plain HTTP POST round trip", value: p(baselineLatency, 50) },
      },
      {
        suite,
        name: `publish -> delivery latency p99 at ${pacedRate.toLocaleString("en-US")} events/s`,
        value: p99,
        unit: "ms",
        baseline: { name: "plain HTTP POST round trip", value: p(baselineLatency, 99) },
        target: "< 20 ms",
        pass: p99 < 20,
      },
    ];
  } finally {
    await child.close();
    await hook.close();
  }
}

export const eventGridSuite: BenchSuite = { name: suite, run };
