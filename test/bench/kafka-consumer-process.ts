/**
 * Child process running one kafkajs group consumer for the end-to-end Kafka benchmark, so the consumer does not
 * share an event loop with the producer (as in real deployments). Started with
 * `node --import tsx kafka-consumer-process.ts <bootstrap> <connection string> <topic> <group> <count>`; IPC:
 *   -> { type: "joined" }  once it owns the partitions
 *   -> { type: "done" }    once `count` records have arrived
 */
import { Kafka, logLevel } from "kafkajs";

async function main(): Promise<void> {
  const [bootstrap, password, topic, groupId, countText] = process.argv.slice(2);
  const target = Number(countText);
  const kafka = new Kafka({
    clientId: "bench-consumer",
    brokers: [bootstrap],
    sasl: { mechanism: "plain", username: "$ConnectionString", password },
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  let received = 0;
  consumer.on(consumer.events.GROUP_JOIN, () => process.send?.({ type: "joined" }));
  await consumer.connect();
  // The hub is empty when the consumer joins, so reading from the beginning counts exactly what the bench sends.
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      received += batch.messages.length;
      if (received >= target) {
        process.send?.({ type: "done" });
        // Disconnecting waits for this batch handler to return, so it runs after it.
        setImmediate(() => void consumer.disconnect().finally(() => process.exit(0)));
      }
    },
  });
  process.on("disconnect", () => process.exit(0));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
