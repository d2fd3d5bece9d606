/**
 * Kafka benchmarks (issue 5): kafkajs 2.2.4 against the Event Hubs Kafka endpoint, next to the same client against
 * a null-sink endpoint (kafka-null-sink.ts) in the same run. Servers run in a child process. Records of 1 KB, sent
 * in batches of 1,000 (one ~1 MB RecordBatch per request, under Event Hubs' 1,046,528-byte request limit).
 * Produce and consume rows: one client in this process. End-to-end rows (kafka-end-to-end.ts): producer and
 * consumer processes in parallel, as Kafka's perf tools measure it, once with one of each for reference.
 * Targets: produce >= 70% of the null sink; end-to-end produce -> consume >= 50,000 records/s.
 */
import { availableParallelism } from "node:os";
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Kafka, logLevel, type Producer } from "kafkajs";
import { type BenchRow, type BenchSuite, percentile } from "./harness.js";
import { type EndToEndResult, type EndToEndSetup, onceMessage, runEndToEnd } from "./kafka-end-to-end.js";
import type { ProcessUsage } from "./process-usage.js";

type Mode = "null-sink" | "emulator";
const suite = "kafka";
const repetitions = 3;
const batchSize = 1_000;
const batches = 50;
const warmUpBatches = 5;
const inFlight = 4;
const value = Buffer.alloc(1024, 0x61);

/** The end-to-end setups: the parallel one the target applies to, and one producer and one consumer for reference. */
const endToEnd = {
  batches: 100,
  batchSize,
  recordBytes: value.length,
  inFlight,
  partitions: 4,
  warmUpTopic: "e2e-warm-up",
  warmUpBatches: 4,
} satisfies Omit<EndToEndSetup, "producers" | "consumers">;
const parallel: EndToEndSetup = { ...endToEnd, producers: 2, consumers: 2 };
const single: EndToEndSetup = { ...endToEnd, producers: 1, consumers: 1 };

interface Child {
  kafka: Kafka;
  bootstrapServers: string;
  connectionString: string;
  usage(): Promise<ProcessUsage>;
  rss(): Promise<number>;
  close(): Promise<void>;
}

const once = onceMessage;

async function startChild(mode: Mode): Promise<Child> {
  const child = fork(fileURLToPath(new URL("./kafka-server-process.ts", import.meta.url)), [mode], {
    execArgv: ["--import", "tsx", "--expose-gc"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const ready = await once<{ bootstrapServers: string; connectionString: string }>(child, "ready");
  const kafka = new Kafka({
    clientId: "bench",
    brokers: [ready.bootstrapServers],
    sasl: { mechanism: "plain", username: "$ConnectionString", password: ready.connectionString },
    logLevel: logLevel.NOTHING,
    requestTimeout: 60_000,
  });
  return {
    kafka,
    bootstrapServers: ready.bootstrapServers,
    connectionString: ready.connectionString,
    async usage() {
      const answer = once<{ usage: ProcessUsage }>(child, "usage");
      child.send({ type: "usage" });
      return (await answer).usage;
    },
    async rss() {
      const answer = once<{ rss: number }>(child, "memory");
      child.send({ type: "memory" });
      return (await answer).rss;
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.send({ type: "close" });
      await exited;
    },
  };
}

const messages = Array.from({ length: batchSize }, () => ({ value }));

/** Keeps `inFlight` sends going at once, so the client never idles waiting for an acknowledgement. */
async function produceBatches(producer: Producer, topic: string, count: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      await producer.send({ topic, acks: -1, messages });
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
}

/** Records per second for `batches` sends of 1,000 records, `inFlight` at a time. */
async function produceRate(kafka: Kafka, topic: string): Promise<number> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  await produceBatches(producer, topic, warmUpBatches);
  const started = performance.now();
  await produceBatches(producer, topic, batches);
  const seconds = (performance.now() - started) / 1000;
  await producer.disconnect();
  return (batches * batchSize) / seconds;
}

/** Starts a group consumer and resolves `done` once `target` records arrived; `joined` once it has its partitions. */
async function countingConsumer(kafka: Kafka, topic: string, groupId: string, fromBeginning: boolean, target: number) {
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  let received = 0;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      received += batch.messages.length;
      if (received >= target) finish();
    },
  });
  return { consumer, done, joined };
}

/** Records per second for a group consumer reading `count` records already there (an endless stream for the null sink). */
async function consumeRate(kafka: Kafka, topic: string, count: number, groupId: string): Promise<number> {
  const started = performance.now();
  const c = await countingConsumer(kafka, topic, groupId, true, count);
  await c.done;
  const seconds = (performance.now() - started) / 1000;
  await c.consumer.disconnect();
  return count / seconds;
}

const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);
const log = (text: string) => process.stderr.write(`  kafka: ${text}\n`);

interface Figures {
  produce: number;
  consume: number;
  rssPer100k: number;
}

interface EndToEndFigures {
  parallel: number;
  single: number;
  /** Microseconds of CPU per record over the parallel runs, by process kind (medians). */
  cpu: { server: number; producers: number; consumers: number };
}

/**
 * Both servers run side by side and the measurements alternate between them, so machine noise and the client's JIT
 * warm-up (one round against the null sink first, not counted) fall on both alike.
 */
async function measureSingleClient(sinkChild: Child, emulatorChild: Child): Promise<{ sink: Omit<Figures, "rssPer100k">; emulator: Figures }> {
  await produceRate(sinkChild.kafka, "warm-up");
  await consumeRate(sinkChild.kafka, "warm-up", batches * batchSize, "warm-up");
  const runs = { sinkProduce: [] as number[], sinkConsume: [] as number[], produce: [] as number[], consume: [] as number[] };
  const rssBefore = await emulatorChild.rss();
  for (let i = 0; i < repetitions; i++) {
    runs.sinkProduce.push(await produceRate(sinkChild.kafka, `bench-${i}`));
    runs.produce.push(await produceRate(emulatorChild.kafka, `bench-${i}`));
    runs.sinkConsume.push(await consumeRate(sinkChild.kafka, `bench-${i}`, batches * batchSize, `reader-${i}`));
    runs.consume.push(await consumeRate(emulatorChild.kafka, `bench-${i}`, batches * batchSize, `reader-${i}`));
    const r = (xs: number[]) => Math.round(xs[i]);
    log(`run ${i + 1}: produce ${r(runs.produce)}/s (null sink ${r(runs.sinkProduce)}/s), consume ${r(runs.consume)}/s (null sink ${r(runs.sinkConsume)}/s)`);
  }
  const stored = repetitions * (batches + warmUpBatches) * batchSize;
  return {
    sink: { produce: median(runs.sinkProduce), consume: median(runs.sinkConsume) },
    emulator: {
      produce: median(runs.produce),
      consume: median(runs.consume),
      rssPer100k: (((await emulatorChild.rss()) - rssBefore) / stored) * 100_000,
    },
  };
}

const perRecord = (u: ProcessUsage, records: number) => (u.user + u.system) / records;
const describeUsage = (u: ProcessUsage, records: number) =>
  `${(perRecord(u, records)).toFixed(1)} us (kernel ${(u.system / records).toFixed(1)}, ${((u.pageFaults / records) * 1000).toFixed(0)} page faults per 1,000)`;

/** Each repetition runs both setups on fresh hubs, alternating which goes first. */
async function measureEndToEnd(emulatorChild: Child): Promise<EndToEndFigures> {
  const parallelRuns: EndToEndResult[] = [];
  const singleRuns: EndToEndResult[] = [];
  for (let i = 0; i < repetitions; i++) {
    const runParallel = async () => parallelRuns.push(await runEndToEnd(emulatorChild, `e2e-${2 * i}`, `e2e-parallel-${i}`, parallel));
    const runSingle = async () => singleRuns.push(await runEndToEnd(emulatorChild, `e2e-${2 * i + 1}`, `e2e-single-${i}`, single));
    if (i % 2 === 0) await runParallel().then(runSingle);
    else await runSingle().then(runParallel);
    const p = parallelRuns[i];
    log(
      `end-to-end run ${i + 1}: ${parallel.producers} producers + ${parallel.consumers} consumers ${Math.round(p.recordsPerSecond)}/s, ` +
        `1 + 1 ${Math.round(singleRuns[i].recordsPerSecond)}/s; CPU per record (parallel): emulator ${describeUsage(p.usage.server, p.records)}, ` +
        `producers ${describeUsage(p.usage.producers, p.records)}, consumers ${describeUsage(p.usage.consumers, p.records)}`,
    );
  }
  return {
    parallel: median(parallelRuns.map((r) => r.recordsPerSecond)),
    single: median(singleRuns.map((r) => r.recordsPerSecond)),
    cpu: {
      server: median(parallelRuns.map((r) => perRecord(r.usage.server, r.records))),
      producers: median(parallelRuns.map((r) => perRecord(r.usage.producers, r.records))),
      consumers: median(parallelRuns.map((r) => perRecord(r.usage.consumers, r.records))),
    },
  };
}

export const kafkaSuite: BenchSuite = {
  name: suite,
  async run(): Promise<BenchRow[]> {
    const sinkChild = await startChild("null-sink");
    const emulatorChild = await startChild("emulator");
    let single: Awaited<ReturnType<typeof measureSingleClient>>;
    let e2e: EndToEndFigures;
    try {
      single = await measureSingleClient(sinkChild, emulatorChild);
      await sinkChild.close();
      e2e = await measureEndToEnd(emulatorChild);
    } finally {
      await Promise.all([sinkChild.close(), emulatorChild.close()]);
    }
    const { sink, emulator } = single;
    const shape = `1 KB records, batches of 1,000, ${endToEnd.batches * batchSize / 1000}k records, ${endToEnd.partitions}-partition hub`;
    return [
      {
        suite,
        name: "produce 1 KB records, batches of 1,000 (one kafkajs producer, acks -1)",
        value: emulator.produce,
        unit: "records/s",
        baseline: { name: "null sink", value: sink.produce },
        target: ">= 70% of baseline",
        pass: emulator.produce >= 0.7 * sink.produce,
      },
      {
        suite,
        name: "consume 1 KB records from a filled hub (one kafkajs group member, eachBatch)",
        value: emulator.consume,
        unit: "records/s",
        baseline: { name: "null sink streaming a pre-built batch", value: sink.consume },
      },
      {
        suite,
        name:
          `end-to-end produce -> consume, ${shape}: ${parallel.producers} producer processes (${parallel.partitions / parallel.producers} partitions each) ` +
          `and a consumer group of ${parallel.consumers} processes in parallel, kafkajs, SASL PLAIN, ${availableParallelism()} CPUs shared with the emulator`,
        value: e2e.parallel,
        unit: "records/s",
        target: ">= 50,000 records/s",
        pass: e2e.parallel >= 50_000,
      },
      {
        suite,
        name: `end-to-end produce -> consume, ${shape}: 1 producer process, 1 consumer process (reference)`,
        value: e2e.single,
        unit: "records/s",
      },
      { suite, name: "emulator CPU per record in the parallel end-to-end (user + kernel)", value: e2e.cpu.server, unit: "us" },
      { suite, name: "clients' CPU per record in the parallel end-to-end (producers + consumers)", value: e2e.cpu.producers + e2e.cpu.consumers, unit: "us" },
      { suite, name: "server resident memory per 100,000 stored 1 KB records", value: emulator.rssPer100k / (1024 * 1024), unit: "MB" },
    ];
  },
};
