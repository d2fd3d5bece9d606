/**
 * Kafka benchmarks (issue 5): kafkajs 2.2.4 against the Event Hubs Kafka endpoint, next to the same client against
 * a null-sink endpoint (kafka-null-sink.ts) in the same run. Servers run in a child process. Records of 1 KB, sent
 * in batches of 1,000 (one ~1 MB RecordBatch per request, under Event Hubs' 1,046,528-byte request limit).
 * Targets: produce >= 70% of the null sink; end-to-end produce -> consume >= 50,000 records/s.
 */
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Kafka, logLevel, type Producer } from "kafkajs";
import { type BenchRow, type BenchSuite, percentile } from "./harness.js";

type Mode = "null-sink" | "emulator";
const suite = "kafka";
const repetitions = 3;
const batchSize = 1_000;
const batches = 50;
const warmUpBatches = 5;
const inFlight = 4;
const value = Buffer.alloc(1024, 0x61);

interface Child {
  kafka: Kafka;
  bootstrapServers: string;
  connectionString: string;
  rss(): Promise<number>;
  close(): Promise<void>;
}

function once<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { type: string }) => {
      if (m.type === type) {
        child.off("exit", onExit);
        child.off("message", onMessage);
        resolve(m as T);
      }
    };
    const onExit = (code: number | null) => reject(new Error(`Kafka server child exited (${code}) before "${type}"`));
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}

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

/**
 * Records per second from the first send until a consumer, running in its own process as in a real deployment,
 * has received every record.
 */
async function endToEndRate(kafka: Kafka, server: Child, topic: string, groupId: string): Promise<number> {
  const total = batches * batchSize;
  const consumer = fork(fileURLToPath(new URL("./kafka-consumer-process.ts", import.meta.url)), [server.bootstrapServers, server.connectionString, topic, groupId, String(total)], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const done = once(consumer, "done");
  await once(consumer, "joined");
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const started = performance.now();
  await produceBatches(producer, topic, batches);
  await done;
  const seconds = (performance.now() - started) / 1000;
  await producer.disconnect();
  if (consumer.exitCode === null) await new Promise((resolve) => consumer.once("exit", resolve));
  return total / seconds;
}

const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);
const log = (text: string) => process.stderr.write(`  kafka: ${text}\n`);

interface Figures {
  produce: number;
  consume: number;
  endToEnd: number;
  rssPer100k: number;
}

/**
 * Both servers run side by side and the measurements alternate between them, so machine noise and the client's JIT
 * warm-up (one round against the null sink first, not counted) fall on both alike.
 */
async function measure(): Promise<{ sink: Omit<Figures, "endToEnd" | "rssPer100k">; emulator: Figures }> {
  const sinkChild = await startChild("null-sink");
  const emulatorChild = await startChild("emulator");
  try {
    await produceRate(sinkChild.kafka, "warm-up");
    await consumeRate(sinkChild.kafka, "warm-up", batches * batchSize, "warm-up");
    const runs = { sinkProduce: [] as number[], sinkConsume: [] as number[], produce: [] as number[], consume: [] as number[], endToEnd: [] as number[] };
    const rssBefore = await emulatorChild.rss();
    for (let i = 0; i < repetitions; i++) {
      runs.sinkProduce.push(await produceRate(sinkChild.kafka, `bench-${i}`));
      runs.produce.push(await produceRate(emulatorChild.kafka, `bench-${i}`));
      runs.sinkConsume.push(await consumeRate(sinkChild.kafka, `bench-${i}`, batches * batchSize, `reader-${i}`));
      runs.consume.push(await consumeRate(emulatorChild.kafka, `bench-${i}`, batches * batchSize, `reader-${i}`));
      runs.endToEnd.push(await endToEndRate(emulatorChild.kafka, emulatorChild, `bench-${i + repetitions}`, `e2e-${i}`));
      const r = (xs: number[]) => Math.round(xs[i]);
      log(`run ${i + 1}: produce ${r(runs.produce)}/s (null sink ${r(runs.sinkProduce)}/s), consume ${r(runs.consume)}/s (null sink ${r(runs.sinkConsume)}/s), end-to-end ${r(runs.endToEnd)}/s`);
    }
    const stored = repetitions * (2 * batches + warmUpBatches) * batchSize;
    return {
      sink: { produce: median(runs.sinkProduce), consume: median(runs.sinkConsume) },
      emulator: {
        produce: median(runs.produce),
        consume: median(runs.consume),
        endToEnd: median(runs.endToEnd),
        rssPer100k: (((await emulatorChild.rss()) - rssBefore) / stored) * 100_000,
      },
    };
  } finally {
    await Promise.all([sinkChild.close(), emulatorChild.close()]);
  }
}

export const kafkaSuite: BenchSuite = {
  name: suite,
  async run(): Promise<BenchRow[]> {
    const { sink, emulator } = await measure();
    const rows: BenchRow[] = [
      {
        suite,
        name: "produce 1 KB records, batches of 1,000 (kafkajs, acks -1)",
        value: emulator.produce,
        unit: "records/s",
        baseline: { name: "null sink", value: sink.produce },
        target: ">= 70% of baseline",
        pass: emulator.produce >= 0.7 * sink.produce,
      },
      {
        suite,
        name: "consume 1 KB records from a filled hub (kafkajs group, eachBatch)",
        value: emulator.consume,
        unit: "records/s",
        baseline: { name: "null sink streaming a pre-built batch", value: sink.consume },
      },
      {
        suite,
        name: "end-to-end produce -> consume, 1 KB records, batches of 1,000",
        value: emulator.endToEnd,
        unit: "records/s",
        target: ">= 50,000 records/s",
        pass: emulator.endToEnd >= 50_000,
      },
    ];
    rows.push({ suite, name: "server resident memory per 100,000 stored 1 KB records", value: emulator.rssPer100k / (1024 * 1024), unit: "MB" });
    return rows;
  },
};
