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
const throughputCount = 20_000;
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

async function medianRate(mode: ServerMode, measure: Measure, fillFirst: boolean): Promise<number> {
  return withServer(mode, async (client) => {
    if (fillFirst) await fillIfStored(mode, client, warmUpCount);
    await measure(client, warmUpCount);
    const rates: number[] = [];
    for (let i = 0; i < repetitions; i++) {
      if (fillFirst) await fillIfStored(mode, client, throughputCount);
      rates.push(await measure(client, throughputCount));
    }
    log(`${mode}: ${rates.map((r) => Math.round(r)).join(", ")} msg/s`);
    return median(rates);
  });
}

/** A measure that throws gives a NaN row that fails its target, so one broken figure does not hide the others. */
async function guarded(what: string, measure: () => Promise<number>): Promise<number> {
  try {
    return await measure();
  } catch (err) {
    log(`${what} failed: ${(err as Error)?.stack ?? String(err)}`);
    return NaN;
  }
}

async function throughputRow(name: string, measure: Measure, fillFirst: boolean, target: (value: number, baseline: number) => boolean, targetText: string): Promise<BenchRow> {
  log(name);
  const baseline = await guarded(`${name} (null sink)`, () => medianRate("null-sink", measure, fillFirst));
  const value = await guarded(`${name} (emulator)`, () => medianRate("emulator", measure, fillFirst));
  return { suite, name, value, unit: "msg/s", baseline: { name: "null sink", value: baseline }, target: targetText, pass: target(value, baseline) };
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
  const cli = await guarded("CLI start", async () => {
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
  let added = { rss: NaN, heapUsed: NaN };
  try {
    added = await withServer("emulator", async (client, server) => {
      const sender = client.createSender(benchQueue);
      await sendMessages(sender, 100); // the link and its buffers exist before the first reading
      const before = await server.memory();
      await sendMessages(sender, memoryCount);
      await sender.close();
      const after = await server.memory();
      return { rss: (after.rss - before.rss) / mb, heapUsed: (after.heapUsed - before.heapUsed) / mb };
    });
  } catch (err) {
    log(`memory failed: ${(err as Error)?.stack ?? String(err)}`);
  }
  const payload = { name: "message bodies alone (100,000 × 1 KB)", value: (memoryCount * 1024) / mb };
  return [
    { suite, name: "resident memory added by 100,000 queued 1 KB messages (after gc)", value: added.rss, unit: "MB", baseline: payload, target: "< 250 MB", pass: added.rss < 250 },
    { suite, name: "JS heap added by the same messages (after gc)", value: added.heapUsed, unit: "MB", baseline: payload },
  ];
}

export const serviceBusSuite: BenchSuite = {
  name: suite,
  async run() {
    const rows: BenchRow[] = [];
    rows.push(
      await throughputRow(
        "send 1 KB messages, batches of 100 (createMessageBatch)",
        (client, count) => sendRate(client, benchQueue, count),
        false,
        (value, baseline) => value >= 0.8 * baseline,
        ">= 80% of baseline",
      ),
    );
    rows.push(
      await throughputRow(
        "receive + complete, peekLock, receiveMessages(100)",
        (client, count) => receiveBatchRate(client, benchQueue, count),
        true,
        (value) => value >= 10_000,
        ">= 10,000 msg/s",
      ),
    );
    rows.push(
      await throughputRow(
        `receive + complete, peekLock, subscribe (maxConcurrentCalls ${maxConcurrentCalls}, autoComplete)`,
        (client, count) => subscribeRate(client, benchQueue, count, maxConcurrentCalls),
        true,
        (value) => value >= 10_000,
        ">= 10,000 msg/s",
      ),
    );
    rows.push(...(await startRows()));
    rows.push(...(await memoryRows()));
    return rows;
  },
};
