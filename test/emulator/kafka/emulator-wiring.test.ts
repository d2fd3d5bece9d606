/**
 * startEmulator() serves the Kafka endpoint beside Service Bus; without an Event Hubs config, the neutral sample's
 * event hub (emulator/defaults/eventhubs.json: eh1, as Microsoft's Event Hubs emulator's sample Config.json).
 */
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type Emulator, startEmulator } from "../../../emulator/index.js";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ servicebusPort: 0, httpPort: 0, kafkaPort: 0, kafkaTlsPort: 0 });
});
afterAll(() => emulator.close());

test("the default config serves only the official sample's eh1 (2 partitions), with the emulator's connection string", async () => {
  expect(emulator.kafka.bootstrapServers).toBe(`localhost:${emulator.kafka.port}`);
  expect(emulator.kafka.connectionString).toBe(
    `Endpoint=sb://localhost:${emulator.kafka.port};SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;`,
  );
  const kafka = new Kafka({
    clientId: "wiring",
    brokers: [emulator.kafka.bootstrapServers],
    sasl: { mechanism: "plain", username: "$ConnectionString", password: emulator.kafka.connectionString },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const { topics } = await admin.fetchTopicMetadata();
  expect(Object.fromEntries(topics.map((t) => [t.name, t.partitions.length]))).toEqual({ eh1: 2 });
  await admin.disconnect();

  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const [sent] = await producer.send({ topic: "eh1", messages: [{ value: "hello from the sample" }] });
  await producer.disconnect();
  expect(sent.errorCode).toBe(0);
});

test("SASL_SSL is served on its own port with the emulator's certificate (Azure's 9093 by default)", async () => {
  expect(emulator.kafka.tlsPort).toBeGreaterThan(0);
  const { cert } = await emulator.serviceBus.certificate();
  const kafka = new Kafka({
    clientId: "wiring-tls",
    brokers: [emulator.kafka.tlsBootstrapServers!],
    ssl: { ca: [cert] },
    sasl: { mechanism: "plain", username: "$ConnectionString", password: emulator.kafka.connectionString },
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const [sent] = await producer.send({ topic: "eh1", messages: [{ value: "hello over SASL_SSL" }] });
  await producer.disconnect();
  expect(sent.errorCode).toBe(0);
});
