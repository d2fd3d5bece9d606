/**
 * Service Bus benchmarks (issue 2): the real @azure/service-bus SDK against the emulator, each throughput next to the
 * same SDK against the null sink (servicebus-null-sink.ts) in the same run. Servers run in child processes so that
 * client and server each have an event loop, as in real use. Targets: send >= 80% of the null sink; receive +
 * complete >= 10,000 msg/s; start to ready < 300 ms; 100,000 queued 1 KB messages add < 250 MB of resident memory.
 * `BENCH_CPU_PROF=DIR npm run bench -- servicebus` also writes a CPU profile of the server over each timed run.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ServiceBusClient } from "@azure/service-bus";
import { type BenchRow, type BenchSuite, percentile } from "./harness.js";
import { type ServerChild, type ServerMode, startServerChild } from "./server-child.js";
import { benchQueue, benchTopic, fanOutProperties, fanOutSubscriptions } from "./servicebus-config.js";
import { benchBody } from "./servicebus-null-sink.js";
import { cliStartToReady, programmaticStarts } from "./servicebus-startup.js";
import { receiveBatchRate, sendMessages, sendRate, subscribeRate } from "./servicebus-workload.js";

const suite = "servicebus";
const repetitions = 3;
const throughputCount = 10_000;
const warmUpCount = 2_000;
const maxConcurrentCalls = 100;
const memoryCount = 100_000;
const startCount = 5;
const cliStartCount = 3;
const mb = 1024 * 1024;

function median(values: number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

function log(text: string): void {
  process.stderr.write(`  servicebus: ${text}\n`);
}

async function withServer<T>(mode: ServerMode, work: (client: ServiceBusClient, server: ServerChild) => Promise<T>): Promise<T> {
  const server = await startServerChild(mode);
  const client = new ServiceBusClient(server.connectionString);
  try {
    return await work(client, server);
  } finally {
    await client.close();
    await server.close();
  }
}

type Measure = (client: ServiceBusClient, count: number) => Promise<number>;

/** Throughput, and CPU time per message in the server child and in this (SDK) process. */
interface Figures {
  rate: number;
  serverCpuUs: number;
  clientCpuUs: number;
}

const failed: Figures = { rate: NaN, serverCpuUs: NaN, clientCpuUs: NaN };

/** One server under measurement; a side that fails stops measuring and reports NaN, the other goes on. */
interface Side {
  mode: ServerMode;
  server?: ServerChild;
  client?: ServiceBusClient;
  runs: Figures[];
  failed: boolean;
}

function logFailure(side: Side, what: string, err: unknown): void {
  side.failed = true;
  log(`${what} (${side.mode}) failed: ${(err as Error)?.stack ?? String(err)}`);
}

async function openSide(mode: ServerMode, what: string): Promise<Side> {
  const side: Side = { mode, runs: [], failed: false };
  try {
    side.server = await startServerChild(mode);
    side.client = new ServiceBusClient(side.server.connectionString);
  } catch (err) {
    logFailure(side, what, err);
  }
  return side;
}

async function closeSide(side: Side): Promise<void> {
  await side.client?.close().catch(() => undefined);
  await side.server?.close().catch(() => undefined);
}

/** Fills the queue first when the server really stores messages (the null sink streams them on demand). */
async function fillIfStored(side: Side, count: number): Promise<void> {
  if (side.mode === "null-sink") return;
  const sender = side.client!.createSender(benchQueue);
  try {
    await sendMessages(sender, count);
  } finally {
    await sender.close();
  }
}

const profileDir = process.env.BENCH_CPU_PROF;
let profiles = 0;

async function runOnce(side: Side, measure: Measure, fillFirst: boolean, count: number, label: string): Promise<Figures> {
  if (fillFirst) await fillIfStored(side, count);
  const stopProfile = profileDir ? await side.server!.profile() : undefined;
  const serverBefore = await side.server!.cpu();
  const clientBefore = process.cpuUsage();
  const rate = await measure(side.client!, count);
  const clientUsed = process.cpuUsage(clientBefore);
  const serverAfter = await side.server!.cpu();
  if (stopProfile) {
    mkdirSync(profileDir!, { recursive: true });
    await stopProfile(join(profileDir!, `${String(++profiles).padStart(2, "0")}-${side.mode}-${label}.cpuprofile`));
  }
  return {
    rate,
    serverCpuUs: (serverAfter.user - serverBefore.user + serverAfter.system - serverBefore.system) / count,
    clientCpuUs: (clientUsed.user + clientUsed.system) / count,
  };
}

function summarize(side: Side): Figures {
  if (side.failed || side.runs.length === 0) return failed;
  const show = (pick: (f: Figures) => number) => side.runs.map((f) => Math.round(pick(f))).join(", ");
  log(`${side.mode}: ${show((f) => f.rate)} msg/s; server CPU ${show((f) => f.serverCpuUs)} µs/msg; client CPU ${show((f) => f.clientCpuUs)} µs/msg`);
  const pick = (get: (f: Figures) => number) => median(side.runs.map(get));
  return { rate: pick((f) => f.rate), serverCpuUs: pick((f) => f.serverCpuUs), clientCpuUs: pick((f) => f.clientCpuUs) };
}

/**
 * Null sink and emulator (or two other modes: baseline first) run side by side, their repetitions alternating, so a
 * change in the neighbours' load on this shared machine hits both alike and the ratio stays meaningful. Medians over
 * the repetitions, after a warm-up.
 */
async function measurePair(
  what: string,
  label: string,
  measure: Measure,
  fillFirst: boolean,
  modes: [ServerMode, ServerMode] = ["null-sink", "emulator"],
): Promise<{ sink: Figures; emulator: Figures }> {
  const sides = [await openSide(modes[0], what), await openSide(modes[1], what)];
  try {
    for (let i = -1; i < repetitions; i++) {
      for (const side of sides) {
        if (side.failed) continue;
        try {
          const figures = await runOnce(side, measure, fillFirst, i < 0 ? warmUpCount : throughputCount, i < 0 ? `${label}-warm-up` : label);
          if (i >= 0) side.runs.push(figures);
        } catch (err) {
          logFailure(side, what, err);
        }
      }
    }
  } finally {
    for (const side of sides) await closeSide(side);
  }
  return { sink: summarize(sides[0]), emulator: summarize(sides[1]) };
}

/** A measure that throws gives NaN figures that fail their target, so one broken measure does not hide the others. */
async function guarded<T>(what: string, fallback: T, measure: () => Promise<T>): Promise<T> {
  try {
    return await measure();
  } catch (err) {
    log(`${what} failed: ${(err as Error)?.stack ?? String(err)}`);
    return fallback;
  }
}

/**
 * One throughput row with its target, plus CPU per message on each side: on a shared machine wall-clock rates swing
 * with the neighbours' load, while CPU time per message moves much less and shows where the time goes.
 */
interface ThroughputMeasure {
  name: string;
  /** Short name for profile files. */
  label: string;
  measure: Measure;
  /** Whether the emulator's queue must hold the messages before the timed run. */
  fillFirst: boolean;
  target: (value: number, baseline: number) => boolean;
  targetText: string;
}

async function throughputRows({ name, label, measure, fillFirst, target, targetText }: ThroughputMeasure): Promise<BenchRow[]> {
  log(name);
  const { sink, emulator } = await measurePair(name, label, measure, fillFirst);
  const baseline = (value: number) => ({ name: "null sink", value });
  return [
    { suite, name, value: emulator.rate, unit: "msg/s", baseline: baseline(sink.rate), target: targetText, pass: target(emulator.rate, sink.rate) },
    { suite, name: `  server CPU per message`, value: emulator.serverCpuUs, unit: "µs", baseline: baseline(sink.serverCpuUs) },
    { suite, name: `  SDK (client) CPU per message`, value: emulator.clientCpuUs, unit: "µs", baseline: baseline(sink.clientCpuUs) },
  ];
}

/** Durable mode against in-memory, the same send workload on two server children side by side (issue 3). */
async function durableSendRows(): Promise<BenchRow[]> {
  const name = "durable mode (--data-dir): send 1 KB messages, batches of 100";
  log(name);
  const { sink: memory, emulator: durable } = await measurePair(name, "send-durable", (client, count) => sendRate(client, benchQueue, count), false, ["emulator", "emulator-durable"]);
  const baseline = (value: number) => ({ name: "in-memory emulator, same workload", value });
  return [
    { suite, name, value: durable.rate, unit: "msg/s", baseline: baseline(memory.rate), target: ">= 30% of baseline", pass: durable.rate >= 0.3 * memory.rate },
    { suite, name: "  server CPU per message (durable)", value: durable.serverCpuUs, unit: "µs", baseline: baseline(memory.serverCpuUs) },
  ];
}

/**
 * Fan-out: the same 1 KB message (with the properties the filters read) sent to a topic whose 20 subscriptions each
 * evaluate their own SQL filter, 10 matching, next to sending it to a single queue; runs alternate on one server.
 */
async function fanOutRows(): Promise<BenchRow[]> {
  const name = `fan-out: send to a topic with ${fanOutSubscriptions} SQL-filtered subscriptions (${fanOutSubscriptions / 2} match), batches of 100`;
  log(name);
  const message = { body: benchBody(), contentType: "application/json", applicationProperties: fanOutProperties };
  const toQueue: Measure = (client, count) => sendRate(client, benchQueue, count, message);
  const toTopic: Measure = (client, count) => sendRate(client, benchTopic, count, message);
  const side = await openSide("emulator", name);
  const queueRuns: Figures[] = [];
  const topicRuns: Figures[] = [];
  try {
    for (let i = -1; i < repetitions && !side.failed; i++) {
      const count = i < 0 ? warmUpCount : throughputCount;
      const queue = await runOnce(side, toQueue, false, count, "fan-out-queue");
      const topic = await runOnce(side, toTopic, false, count, "fan-out-topic");
      if (i >= 0) {
        queueRuns.push(queue);
        topicRuns.push(topic);
      }
    }
  } catch (err) {
    logFailure(side, name, err);
  } finally {
    await closeSide(side);
  }
  const med = (runs: Figures[], pick: (f: Figures) => number) => (side.failed || runs.length === 0 ? NaN : median(runs.map(pick)));
  log(`fan-out: topic ${topicRuns.map((f) => Math.round(f.rate)).join(", ")} msg/s; queue ${queueRuns.map((f) => Math.round(f.rate)).join(", ")} msg/s`);
  const topicRate = med(topicRuns, (f) => f.rate);
  const queueRate = med(queueRuns, (f) => f.rate);
  const baseline = (value: number) => ({ name: "the same send to a single queue", value });
  return [
    { suite, name, value: topicRate, unit: "msg/s", baseline: baseline(queueRate) },
    { suite, name: `  subscription copies stored per second (${fanOutSubscriptions / 2} per message)`, value: (topicRate * fanOutSubscriptions) / 2, unit: "msg/s", baseline: baseline(queueRate) },
    { suite, name: "  server CPU per message sent (topic)", value: med(topicRuns, (f) => f.serverCpuUs), unit: "µs", baseline: baseline(med(queueRuns, (f) => f.serverCpuUs)) },
  ];
}

async function startRows(): Promise<BenchRow[]> {
  log("start to ready");
  const rows: BenchRow[] = [];
  try {
    const { importMs, startsMs } = await programmaticStarts(startCount);
    log(`startEmulator() to healthy: ${startsMs.map((ms) => Math.round(ms)).join(", ")} ms; module load ${Math.round(importMs)} ms`);
    const value = median(startsMs);
    rows.push({ suite, name: `start to ready: startEmulator() until /health is 200 (median of ${startCount})`, value, unit: "ms", target: "< 300 ms", pass: value < 300 });
    rows.push({ suite, name: "first start in a fresh process (startEmulator() until healthy)", value: startsMs[0], unit: "ms" });
    rows.push({ suite, name: "emulator module load (import emulator/index.ts under tsx)", value: importMs, unit: "ms" });
  } catch (err) {
    log(`start to ready failed: ${(err as Error)?.stack ?? String(err)}`);
    rows.push({ suite, name: "start to ready: startEmulator() until /health is 200", value: NaN, unit: "ms", target: "< 300 ms", pass: false });
  }
  const cli = await guarded("CLI start", NaN, async () => {
    const times: number[] = [];
    for (let i = 0; i < cliStartCount; i++) times.push(await cliStartToReady());
    log(`CLI spawn to ready line: ${times.map((ms) => Math.round(ms)).join(", ")} ms`);
    return median(times);
  });
  rows.push({ suite, name: `CLI: spawn \`tsx emulator/cli.ts\` until its ready line (median of ${cliStartCount})`, value: cli, unit: "ms" });
  return rows;
}

async function memoryRows(): Promise<BenchRow[]> {
  log(`memory with ${memoryCount.toLocaleString("en-US")} queued messages`);
  let added = { rss: NaN, heapUsed: NaN, external: NaN };
  try {
    added = await withServer("emulator", async (client, server) => {
      const sender = client.createSender(benchQueue);
      await sendMessages(sender, 100); // the link and its buffers exist before the first reading
      const before = await server.memory();
      await sendMessages(sender, memoryCount);
      await sender.close();
      const after = await server.memory();
      return { rss: (after.rss - before.rss) / mb, heapUsed: (after.heapUsed - before.heapUsed) / mb, external: (after.external - before.external) / mb };
    });
  } catch (err) {
    log(`memory failed: ${(err as Error)?.stack ?? String(err)}`);
  }
  const payload = { name: "message bodies alone (100,000 × 1 KB)", value: (memoryCount * 1024) / mb };
  return [
    { suite, name: "resident memory added by 100,000 queued 1 KB messages (after gc)", value: added.rss, unit: "MB", baseline: payload, target: "< 250 MB", pass: added.rss < 250 },
    { suite, name: "  of which JS heap", value: added.heapUsed, unit: "MB", baseline: payload },
    { suite, name: "  of which Buffers outside the heap (external)", value: added.external, unit: "MB", baseline: payload },
  ];
}

export const serviceBusSuite: BenchSuite = {
  name: suite,
  async run() {
    const atLeast10k = (value: number) => value >= 10_000;
    const rows: BenchRow[] = [];
    rows.push(
      ...(await throughputRows({
        name: "send 1 KB messages, batches of 100 (createMessageBatch)",
        label: "send",
        measure: (client, count) => sendRate(client, benchQueue, count),
        fillFirst: false,
        target: (value, baseline) => value >= 0.8 * baseline,
        targetText: ">= 80% of baseline",
      })),
      ...(await throughputRows({
        name: "receive + complete, peekLock, receiveMessages(100)",
        label: "receive-batch",
        measure: (client, count) => receiveBatchRate(client, benchQueue, count),
        fillFirst: true,
        target: atLeast10k,
        targetText: ">= 10,000 msg/s",
      })),
      ...(await throughputRows({
        name: `receive + complete, peekLock, subscribe (maxConcurrentCalls ${maxConcurrentCalls}, autoComplete)`,
        label: "subscribe",
        measure: (client, count) => subscribeRate(client, benchQueue, count, maxConcurrentCalls),
        fillFirst: true,
        target: atLeast10k,
        targetText: ">= 10,000 msg/s",
      })),
    );
    rows.push(...(await durableSendRows()));
    rows.push(...(await fanOutRows()));
    rows.push(...(await startRows()));
    rows.push(...(await memoryRows()));
    return rows;
  },
};
