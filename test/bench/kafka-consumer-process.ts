/**
 * One member of the consumer group of the end-to-end Kafka benchmark, in its own process as a consumer instance of
 * a real deployment. Every record kafkajs hands over is checked to carry its value (`recordBytes` bytes); only those
 * are counted. Started with `node --import tsx kafka-consumer-process.ts '<ConsumerJob as JSON>'`; IPC:
 *   -> { type: "assigned", partitions }   after each group join, the partitions this member owns
 *   <- { type: "go" }                     the producers start now (usage is counted from here)
 *   -> { type: "count", records }         after each batch, the records in it that carried their value
 *   -> { type: "error", message }         a record without its value
 *   <- { type: "stop" }                   -> { type: "stopped", usage } (ProcessUsage since "go"), then exits
 */
import { Kafka, logLevel } from "kafkajs";
import { usageSince } from "./process-usage.js";

export interface ConsumerJob {
  bootstrapServers: string;
  connectionString: string;
  topic: string;
  groupId: string;
  recordBytes: number;
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2]) as ConsumerJob;
  const kafka = new Kafka({
    clientId: "bench-consumer",
    brokers: [job.bootstrapServers],
    sasl: { mechanism: "plain", username: "$ConnectionString", password: job.connectionString },
    logLevel: logLevel.NOTHING,
    requestTimeout: 60_000,
  });
  const consumer = kafka.consumer({ groupId: job.groupId, sessionTimeout: 30_000, heartbeatInterval: 3_000, metadataMaxAge: 180_000, allowAutoTopicCreation: false });
  let before = process.resourceUsage();
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    process.send?.({ type: "assigned", partitions: payload.memberAssignment[job.topic] ?? [] });
  });
  process.on("message", (command: { type: string }) => {
    if (command.type === "go") before = process.resourceUsage();
    else if (command.type === "stop") {
      process.send?.({ type: "stopped", usage: usageSince(before) });
      void consumer.disconnect().finally(() => process.exit(0));
    }
  });
  process.on("disconnect", () => process.exit(0));
  await consumer.connect();
  // The hub is empty when the group forms, so reading from the beginning counts exactly what the producers send.
  await consumer.subscribe({ topic: job.topic, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      let records = 0;
      for (const message of batch.messages) {
        if (message.value?.length === job.recordBytes) records++;
        else process.send?.({ type: "error", message: `offset ${message.offset} of partition ${batch.partition} has a value of ${message.value?.length ?? "null"} bytes` });
      }
      process.send?.({ type: "count", records });
    },
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
