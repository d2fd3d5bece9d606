/**
 * Illegal topic names (characters outside [A-Za-z0-9._-], "." or "..", longer than an event hub name may be) are
 * INVALID_TOPIC_EXCEPTION, as Kafka answers them in Metadata and CreateTopics, so a client fails fast with "invalid
 * topic" instead of waiting for a hub that can never exist. A legal but unknown name stays UNKNOWN_TOPIC_OR_PARTITION.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { startKafkaEnv, type KafkaTestEnv } from "./kafka-test-env.js";

let env: KafkaTestEnv;
beforeAll(async () => {
  env = await startKafkaEnv([{ name: "festival-events", partitions: 1 }]);
});
afterAll(() => env.close());

const illegal = ["bad topic", "tickets#1", ".", "..", "x".repeat(257)];

test.each(illegal)("metadata for the illegal name %j is INVALID_TOPIC_EXCEPTION", async (name) => {
  const admin = env.client({ retry: { retries: 0 } }).admin();
  await admin.connect();
  await expect(admin.fetchTopicMetadata({ topics: [name] })).rejects.toMatchObject({ type: "INVALID_TOPIC_EXCEPTION" });
  await admin.disconnect();
});

test("a producer sending to an illegal name fails with INVALID_TOPIC_EXCEPTION", async () => {
  const producer = env.client({ retry: { retries: 0 } }).producer({ allowAutoTopicCreation: false });
  await producer.connect();
  await expect(producer.send({ topic: "bad topic", messages: [{ value: "x" }] })).rejects.toMatchObject({
    retriable: false,
    cause: { type: "INVALID_TOPIC_EXCEPTION" },
  });
  await producer.disconnect();
});

test("a legal but unknown name is still UNKNOWN_TOPIC_OR_PARTITION", async () => {
  const admin = env.client({ retry: { retries: 0 } }).admin();
  await admin.connect();
  await expect(admin.fetchTopicMetadata({ topics: ["no-such-hub"] })).rejects.toMatchObject({
    type: "UNKNOWN_TOPIC_OR_PARTITION",
  });
  await admin.disconnect();
});

test("creating a topic with an illegal name is INVALID_TOPIC_EXCEPTION before any policy check", async () => {
  const admin = env.client({ retry: { retries: 0 } }).admin();
  await admin.connect();
  await expect(admin.createTopics({ topics: [{ topic: "bad/topic" }] })).rejects.toMatchObject({
    errors: [expect.objectContaining({ type: "INVALID_TOPIC_EXCEPTION" })],
  });
  await admin.disconnect();
});
