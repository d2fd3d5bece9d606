/**
 * Service Bus benchmarks (issue 2): the real @azure/service-bus SDK against the emulator, each throughput next to the
 * same SDK against the null sink (servicebus-null-sink.ts) in the same run. Servers run in child processes so that
 * client and server each have an event loop, as in real use. Targets: send >= 80% of the null sink; receive +
 * complete >= 10,000 msg/s; start to ready < 300 ms; 100,000 queued 1 KB messages add < 250 MB of resident memory.
 */
import { ServiceBusClient } from "@azure/service-bus";
import { type BenchRow, type BenchSuite, percentile } from "./harness.js";
import { type ServerChild, type ServerMode, startServerChild } from "./server-child.js";
import { benchQueue } from "./servicebus-config.js";
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

/** Fills the queue first when the server really stores messages (the null sink streams them on demand). */
async function fillIfStored(mode: ServerMode, client: ServiceBusClient, count: number): Promise<void> {
  if (mode === "null-sink") return;
  const sender = client.createSender(benchQueue);
  try {
    await sendMessages(sender, count);
  } finally {
    await sender.close();
  }
}

type Measure = (client: ServiceBusClient, count: number) => Promise<number>;

/** Medians over the repetitions: throughput, and CPU time per message in the server child and in this (SDK) process. */
interface Figures {
  rate: number;
  serverCpuUs: number;
  clientCpuUs: number;
}

const failed: Figures = { rate: NaN, serverCpuUs: NaN, clientCpuUs: NaN };

async function measureFigures(mode: ServerMode, measure: Measure, fillFirst: boolean): Promise<Figures> {
  return withServer(mode, async (client, server) => {
    if (fillFirst) await fillIfStored(mode, client, warmUpCount);
    await measure(client, warmUpCount);
    const runs: Figures[] = [];
    for (let i = 0; i < repetitions; i++) {
      if (fillFirst) await fillIfStored(mode, client, throughputCount);
      const serverBefore = await server.cpu();
      const clientBefore = process.cpuUsage();
      const rate = await measure(client, throughputCount);
      const clientUsed = process.cpuUsage(clientBefore);
      const serverAfter = await server.cpu();
      runs.push({
        rate,
        serverCpuUs: (serverAfter.user - serverBefore.user + serverAfter.system - serverBefore.system) / throughputCount,
        clientCpuUs: (clientUsed.user + clientUsed.system) / throughputCount,
      });
    }
    const show = (pick: (f: Figures) => number) => runs.map((f) => Math.round(pick(f))).join(", ");
    log(`${mode}: ${show((f) => f.rate)} msg/s; server CPU ${show((f) => f.serverCpuUs)} µs/msg; client CPU ${show((f) => f.clientCpuUs)} µs/msg`);
    return { rate: median(runs.map((f) => f.rate)), serverCpuUs: median(runs.map((f) => f.serverCpuUs)), clientCpuUs: median(runs.map((f) => f.clientCpuUs)) };
  });
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
 * with the neighbours' load, while CPU time per message stays put and shows where the time goes.
 */
async function throughputRows(name: string, measure: Measure, fillFirst: boolean, target: (value: number, baseline: number) => boolean, targetText: string): Promise<BenchRow[]> {
  log(name);
  const sink = await guarded(`${name} (null sink)`, failed, () => measureFigures("null-sink", measure, fillFirst));
  const emulator = await guarded(`${name} (emulator)`, failed, () => measureFigures("emulator", measure, fillFirst));
  const baseline = (value: number) => ({ name: "null sink", value });
  return [
    { suite, name, value: emulator.rate, unit: "msg/s", baseline: baseline(sink.rate), target: targetText, pass: target(emulator.rate, sink.rate) },
    { suite, name: `  server CPU per message`, value: emulator.serverCpuUs, unit: "µs", baseline: baseline(sink.serverCpuUs) },
    { suite, name: `  SDK (client) CPU per message`, value: emulator.clientCpuUs, unit: "µs", baseline: baseline(sink.clientCpuUs) },
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
    const rows: BenchRow[] = [];
    rows.push(
      ...(await throughputRows(
        "send 1 KB messages, batches of 100 (createMessageBatch)",
        (client, count) => sendRate(client, benchQueue, count),
        false,
        (value, baseline) => value >= 0.8 * baseline,
        ">= 80% of baseline",
      )),
    );
    rows.push(
      ...(await throughputRows(
        "receive + complete, peekLock, receiveMessages(100)",
        (client, count) => receiveBatchRate(client, benchQueue, count),
        true,
        (value) => value >= 10_000,
        ">= 10,000 msg/s",
      )),
    );
    rows.push(
      ...(await throughputRows(
        `receive + complete, peekLock, subscribe (maxConcurrentCalls ${maxConcurrentCalls}, autoComplete)`,
        (client, count) => subscribeRate(client, benchQueue, count, maxConcurrentCalls),
        true,
        (value) => value >= 10_000,
        ">= 10,000 msg/s",
      )),
    );
    rows.push(...(await startRows()));
    rows.push(...(await memoryRows()));
    return rows;
  },
};
