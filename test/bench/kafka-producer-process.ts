/**
 * One producer of the parallel end-to-end Kafka benchmark, in its own process as a producer instance of a real
 * deployment (and as kafka-producer-perf-test runs). It sends batches of `batchSize` records of `recordBytes` to its
 * own partitions in turn, `inFlight` sends at a time, with the client settings the application uses against Event
 * Hubs. Started with `node --import tsx kafka-producer-process.ts '<ProducerJob as JSON>'`; IPC:
 *   -> { type: "ready" }                       connected, and warmed up on the warm-up hub
 *   <- { type: "go" }                          start sending
 *   -> { type: "sent", usage }                 every batch acknowledged; ProcessUsage since "go"
 *   <- { type: "stop" }                        disconnect and exit
 */
import { Kafka, logLevel, type Producer } from "kafkajs";
import { usageSince } from "./process-usage.js";

export interface ProducerJob {
  bootstrapServers: string;
  connectionString: string;
  topic: string;
  partitions: number[];
  batches: number;
  batchSize: number;
  recordBytes: number;
  inFlight: number;
  warmUpTopic: string;
  warmUpBatches: number;
}

async function sendBatches(producer: Producer, topic: string, partitions: number[], count: number, job: ProducerJob): Promise<void> {
  const value = Buffer.alloc(job.recordBytes, 0x61);
  // One message list per partition, built once: what varies per record is encoded by kafkajs on every send.
  const perPartition = partitions.map((partition) => Array.from({ length: job.batchSize }, () => ({ value, partition })));
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const messages = perPartition[next % perPartition.length];
      next++;
      await producer.send({ topic, acks: -1, messages });
    }
  };
  await Promise.all(Array.from({ length: job.inFlight }, worker));
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2]) as ProducerJob;
  const kafka = new Kafka({
    clientId: "bench-producer",
    brokers: [job.bootstrapServers],
    sasl: { mechanism: "plain", username: "$ConnectionString", password: job.connectionString },
    logLevel: logLevel.NOTHING,
    requestTimeout: 60_000,
  });
  const producer = kafka.producer({ allowAutoTopicCreation: false, metadataMaxAge: 180_000 });
  await producer.connect();
  await sendBatches(producer, job.warmUpTopic, job.partitions, job.warmUpBatches, job);
  process.on("message", (command: { type: string }) => {
    if (command.type === "go") {
      const before = process.resourceUsage();
      void sendBatches(producer, job.topic, job.partitions, job.batches, job).then(() => {
        process.send?.({ type: "sent", usage: usageSince(before) });
      }, fail);
    } else if (command.type === "stop") {
      void producer.disconnect().finally(() => process.exit(0));
    }
  });
  process.on("disconnect", () => process.exit(0));
  process.send?.({ type: "ready" });
}

function fail(err: unknown): never {
  console.error(err);
  process.exit(1);
}

main().catch(fail);
