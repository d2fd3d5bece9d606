/**
 * End-to-end Kafka measure, as Kafka users take it (kafka-producer-perf-test next to kafka-consumer-perf-test):
 * P producer processes, each sending batches of 1,000 records to its own partitions of one event hub, and a
 * consumer group of C member processes reading it, all with kafkajs and the application's client settings
 * (SASL PLAIN, `$ConnectionString`). The clock runs from the moment every producer is told to start until the
 * consumers have received every record, each with its value; the group has formed and the producers have warmed up
 * (on another hub) before that. CPU time of every process over the same span is returned too, per record, to show
 * where the machine's time goes.
 */
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ConsumerJob } from "./kafka-consumer-process.js";
import type { ProducerJob } from "./kafka-producer-process.js";
import { addUsage, noUsage, type ProcessUsage, subtractUsage } from "./process-usage.js";

export interface EndToEndSetup {
  producers: number;
  consumers: number;
  /** Partitions of the hub; producer k sends to the partitions p with p % producers === k. */
  partitions: number;
  /** Batches sent in all, split evenly between the producers. */
  batches: number;
  batchSize: number;
  recordBytes: number;
  /** Sends each producer keeps going at once. */
  inFlight: number;
  warmUpTopic: string;
  warmUpBatches: number;
}

export interface KafkaEndpoint {
  bootstrapServers: string;
  connectionString: string;
  /** What the server process has used so far. */
  usage(): Promise<ProcessUsage>;
}

export interface EndToEndResult {
  records: number;
  recordsPerSecond: number;
  /** Usage over the measured span by process kind (all processes of a kind summed). */
  usage: { server: ProcessUsage; producers: ProcessUsage; consumers: ProcessUsage };
}

type Message = { type: string } & Record<string, unknown>;

/** Resolves with the first IPC message of `type` from `child`; rejects if the child exits first. */
export function onceMessage<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: Message) => {
      if (m.type !== type) return;
      child.off("exit", onExit);
      child.off("message", onMessage);
      resolve(m as T);
    };
    const onExit = (code: number | null) => reject(new Error(`bench child exited (${code}) before "${type}"`));
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}

function startWorker(file: string, job: ProducerJob | ConsumerJob): ChildProcess {
  return fork(fileURLToPath(new URL(file, import.meta.url)), [JSON.stringify(job)], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
}

/** Resolves once the latest assignments of all members are disjoint and cover every partition. */
function groupFormed(consumers: ChildProcess[], partitions: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const latest = new Map<ChildProcess, number[]>();
    const check = () => {
      if (latest.size < consumers.length) return;
      const owned = [...latest.values()].flat();
      if (owned.length === partitions && new Set(owned).size === partitions) resolve();
    };
    for (const c of consumers) {
      c.on("message", (m: Message) => {
        if (m.type !== "assigned") return;
        latest.set(c, m.partitions as number[]);
        check();
      });
      c.once("exit", (code) => reject(new Error(`a bench consumer exited (${code}) before the group formed`)));
    }
  });
}

/** Resolves with the time the consumers' counts reach `total`; rejects on a record without its value. */
function allConsumed(consumers: ChildProcess[], total: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let received = 0;
    for (const c of consumers) {
      c.on("message", (m: Message) => {
        if (m.type === "error") reject(new Error(`bench consumer: ${String(m.message)}`));
        if (m.type !== "count") return;
        received += m.records as number;
        if (received > total) reject(new Error(`the consumers received ${received} records, ${received - total} more than were sent`));
        else if (received === total) resolve(performance.now());
      });
    }
  });
}

async function stop(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map((c) => {
      if (c.exitCode !== null || c.signalCode !== null) return undefined;
      const exited = new Promise((resolve) => c.once("exit", resolve));
      if (c.connected) c.send({ type: "stop" });
      else c.kill();
      return exited;
    }),
  );
}

export async function runEndToEnd(endpoint: KafkaEndpoint, topic: string, groupId: string, setup: EndToEndSetup): Promise<EndToEndResult> {
  if (setup.batches % setup.producers !== 0) throw new Error(`${setup.batches} batches do not split evenly between ${setup.producers} producers`);
  const total = setup.batches * setup.batchSize;
  const consumers = Array.from({ length: setup.consumers }, () =>
    startWorker("./kafka-consumer-process.ts", { ...endpoint, topic, groupId, recordBytes: setup.recordBytes }),
  );
  const producers = Array.from({ length: setup.producers }, (_, k) =>
    startWorker("./kafka-producer-process.ts", {
      ...endpoint,
      topic,
      partitions: Array.from({ length: setup.partitions }, (_, p) => p).filter((p) => p % setup.producers === k),
      batches: setup.batches / setup.producers,
      batchSize: setup.batchSize,
      recordBytes: setup.recordBytes,
      inFlight: setup.inFlight,
      warmUpTopic: setup.warmUpTopic,
      warmUpBatches: setup.warmUpBatches,
    }),
  );
  try {
    await Promise.all([groupFormed(consumers, setup.partitions), ...producers.map((p) => onceMessage(p, "ready"))]);
    const consumed = allConsumed(consumers, total);
    const sent = producers.map((p) => onceMessage<{ usage: ProcessUsage }>(p, "sent"));
    // Awaited below; a failure elsewhere first must not leave these rejections unhandled.
    for (const s of sent) s.catch(() => undefined);
    const serverBefore = await endpoint.usage();
    const started = performance.now();
    for (const c of [...consumers, ...producers]) c.send({ type: "go" });
    const finished = await consumed;
    const server = subtractUsage(await endpoint.usage(), serverBefore);
    const producerUsage = (await Promise.all(sent)).reduce((sum, s) => addUsage(sum, s.usage), noUsage);
    const stopped = consumers.map((c) => onceMessage<{ usage: ProcessUsage }>(c, "stopped"));
    for (const c of consumers) c.send({ type: "stop" });
    const consumerUsage = (await Promise.all(stopped)).reduce((sum, s) => addUsage(sum, s.usage), noUsage);
    return {
      records: total,
      recordsPerSecond: total / ((finished - started) / 1000),
      usage: { server, producers: producerUsage, consumers: consumerUsage },
    };
  } finally {
    await stop([...producers, ...consumers]);
  }
}
