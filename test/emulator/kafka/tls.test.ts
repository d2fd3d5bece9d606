/**
 * SASL_SSL, as Azure serves the Kafka endpoint on 9093: kafkajs with `ssl` and SASL PLAIN completes a produce and
 * consume round trip. The certificate is a self-signed test certificate for localhost (fixtures/, test use only).
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect, test } from "vitest";
import { eventually, startKafkaEnv, type KafkaTestEnv } from "./kafka-test-env.js";

const cert = readFileSync(new URL("./fixtures/localhost-test-cert.pem", import.meta.url));
const key = readFileSync(new URL("./fixtures/localhost-test-key.pem", import.meta.url));

let env: KafkaTestEnv;
beforeAll(async () => {
  env = await startKafkaEnv([{ name: "secure-events", partitions: 1 }], { tls: { cert, key } });
});
afterAll(() => env.close());

test("kafkajs with ssl and SASL PLAIN produces and consumes over TLS", async () => {
  const kafka = env.client({ ssl: { ca: [cert] } });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  await producer.send({ topic: "secure-events", messages: [{ value: "over tls" }] });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: "tls-reader", maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  const got: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: "secure-events", fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void got.push(message.value!.toString()) });
  await eventually(() => got.length === 1, "the event over TLS");
  await consumer.disconnect();
  expect(got).toEqual(["over tls"]);
});

test("a plaintext client cannot talk to the TLS listener", async () => {
  const admin = env.client({ ssl: false, connectionTimeout: 500, retry: { retries: 0 } }).admin();
  await expect(admin.connect()).rejects.toThrow();
});

test("with tlsPort, SASL_SSL is served beside SASL_PLAINTEXT, each listener's metadata naming itself", async () => {
  const both = await startKafkaEnv([{ name: "both-listeners", partitions: 1 }], { tls: { cert, key }, tlsPort: 0 });
  try {
    expect(both.kafka.tlsPort).toBeGreaterThan(0);
    expect(both.kafka.tlsPort).not.toBe(both.kafka.port);
    expect(both.kafka.tlsBootstrapServers).toBe(`localhost:${both.kafka.tlsPort}`);
    const secure = both.client({ brokers: [both.kafka.tlsBootstrapServers!], ssl: { ca: [cert] } });
    const producer = secure.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    await producer.send({ topic: "both-listeners", messages: [{ value: "over tls" }] });
    await producer.disconnect();
    const plain = both.client().producer({ allowAutoTopicCreation: false });
    await plain.connect();
    await plain.send({ topic: "both-listeners", messages: [{ value: "in the clear" }] });
    await plain.disconnect();
    const admin = secure.admin();
    await admin.connect();
    expect(await admin.fetchTopicOffsets("both-listeners")).toMatchObject([{ partition: 0, offset: "2" }]);
    await admin.disconnect();
  } finally {
    await both.close();
  }
});
