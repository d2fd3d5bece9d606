import { afterAll, beforeAll, expect, test } from "vitest";
import { startKafkaEnv, type KafkaTestEnv } from "./kafka-test-env.js";

let env: KafkaTestEnv;
beforeAll(async () => {
  env = await startKafkaEnv([{ name: "festival-events", partitions: 4 }]);
});
afterAll(() => env.close());

test("smoke", async () => {
  const admin = env.client().admin();
  await admin.connect();
  expect(await admin.listTopics()).toEqual(["festival-events"]);
  await admin.disconnect();
  const producer = env.client().producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const r = await producer.send({ topic: "festival-events", messages: [{ key: "k", value: "v" }] });
  expect(r[0].errorCode).toBe(0);
  await producer.disconnect();
  const consumer = env.client().consumer({ groupId: "g1", maxWaitTimeInMs: 100, sessionTimeout: 6000 });
  await consumer.connect();
  await consumer.subscribe({ topic: "festival-events", fromBeginning: true });
  const got: string[] = [];
  await consumer.run({ eachMessage: async ({ message }) => void got.push(message.value!.toString()) });
  const deadline = Date.now() + 10000;
  while (got.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await consumer.disconnect();
  expect(got).toEqual(["v"]);
});
