/** Metadata and Produce with kafkajs: hubs from config only, plain and gzip batches, key partitioning, refusals. */
import { CompressionCodecs, CompressionTypes, type Message, Partitioners } from "kafkajs";
import { afterAll, beforeAll, expect, test } from "vitest";
import { eventually, startKafkaEnv, type KafkaTestEnv } from "./kafka-test-env.js";

let env: KafkaTestEnv;
beforeAll(async () => {
  env = await startKafkaEnv([
    { name: "festival-events", partitions: 4 },
    { name: "gzip-events", partitions: 1 },
    { name: "keyed-events", partitions: 4 },
    { name: "acks-zero", partitions: 1 },
  ]);
});
afterAll(() => env.close());

async function consumeAll(topic: string, count: number): Promise<{ partition: number; offset: string; key: string | null; value: string; headers: Record<string, string> }[]> {
  const consumer = env.client().consumer({ groupId: `reader-${topic}-${Date.now()}`, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  const got: { partition: number; offset: string; key: string | null; value: string; headers: Record<string, string> }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
      got.push({ partition, offset: message.offset, key: message.key?.toString() ?? null, value: message.value!.toString(), headers });
    },
  });
  await eventually(() => got.length >= count, `${count} messages from ${topic}`);
  await consumer.disconnect();
  return got;
}

test("metadata lists the configured hubs with their partition counts; topics cannot be created", async () => {
  const admin = env.client().admin();
  await admin.connect();
  expect((await admin.listTopics()).sort()).toEqual(["acks-zero", "festival-events", "gzip-events", "keyed-events"]);
  const { topics } = await admin.fetchTopicMetadata({ topics: ["festival-events"] });
  expect(topics[0].partitions.map((p) => [p.partitionId, p.leader]).sort()).toEqual([[0, 0], [1, 0], [2, 0], [3, 0]]);
  await expect(admin.createTopics({ topics: [{ topic: "new-hub", numPartitions: 2 }] })).rejects.toMatchObject({
    errors: [expect.objectContaining({ type: "POLICY_VIOLATION" })],
  });
  expect(await admin.createTopics({ topics: [{ topic: "festival-events" }] })).toBe(false);
  await admin.disconnect();
});

test("plain produce assigns dense offsets per partition, and keys and headers come back intact", async () => {
  const producer = env.client().producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const first = await producer.send({ topic: "festival-events", messages: [{ partition: 2, key: "order-1", value: "a", headers: { type: "TicketSold" } }] });
  const second = await producer.send({ topic: "festival-events", messages: [{ partition: 2, value: "b" }, { partition: 2, value: "c" }] });
  await producer.disconnect();
  expect(first[0]).toMatchObject({ partition: 2, errorCode: 0, baseOffset: "0" });
  expect(second[0]).toMatchObject({ partition: 2, errorCode: 0, baseOffset: "1" });
  const got = await consumeAll("festival-events", 3);
  expect(got.map((m) => [m.offset, m.value])).toEqual([["0", "a"], ["1", "b"], ["2", "c"]]);
  expect(got[0]).toMatchObject({ key: "order-1", headers: { type: "TicketSold" } });
});

test("gzip batches are stored and delivered", async () => {
  const producer = env.client().producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const messages = Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `gzipped-${i}`.repeat(20) }));
  await producer.send({ topic: "gzip-events", compression: CompressionTypes.GZIP, messages });
  await producer.disconnect();
  const got = await consumeAll("gzip-events", 10);
  expect(got.map((m) => m.value)).toEqual(messages.map((m) => m.value));
});

test("keyed messages land on the partition kafkajs chooses, and each key keeps its order", async () => {
  const kafka = env.client();
  const admin = kafka.admin();
  await admin.connect();
  const partitionMetadata = (await admin.fetchTopicMetadata({ topics: ["keyed-events"] })).topics[0].partitions;
  await admin.disconnect();
  const partitioner = Partitioners.DefaultPartitioner();
  const keys = ["fan-1", "fan-2", "fan-3", "fan-4", "fan-5", "fan-6"];
  const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const messages: Message[] = [];
  for (let i = 0; i < 60; i++) messages.push({ key: keys[i % keys.length], value: String(i) });
  for (let i = 0; i < messages.length; i += 10) await producer.send({ topic: "keyed-events", messages: messages.slice(i, i + 10) });
  await producer.disconnect();

  const got = await consumeAll("keyed-events", 60);
  for (const key of keys) {
    const expected = partitioner({ topic: "keyed-events", partitionMetadata, message: { key, value: null } });
    const mine = got.filter((m) => m.key === key);
    expect(new Set(mine.map((m) => m.partition))).toEqual(new Set([expected]));
    const values = mine.map((m) => Number(m.value));
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(values).toHaveLength(10);
  }
  expect(new Set(got.map((m) => m.partition)).size).toBeGreaterThan(1);
});

test("producing to an unknown hub fails even when the client allows auto-creation", async () => {
  const producer = env.client().producer({ allowAutoTopicCreation: true });
  await producer.connect();
  await expect(producer.send({ topic: "no-such-hub", messages: [{ value: "x" }] })).rejects.toThrow(/does not host this topic-partition|topic/i);
  await producer.disconnect();
  const admin = env.client().admin();
  await admin.connect();
  expect(await admin.listTopics()).not.toContain("no-such-hub");
  await admin.disconnect();
});

test("a snappy batch is refused with UNSUPPORTED_COMPRESSION_TYPE", async () => {
  // A stand-in codec: the batch only has to say "snappy" in its attributes for the broker to refuse it.
  CompressionCodecs[CompressionTypes.Snappy] = () => ({ compress: async (encoder: { buffer: Buffer }) => encoder.buffer, decompress: async (b: Buffer) => b });
  const producer = env.client().producer({ allowAutoTopicCreation: false });
  await producer.connect();
  await expect(producer.send({ topic: "festival-events", compression: CompressionTypes.Snappy, messages: [{ value: "x" }] })).rejects.toMatchObject({
    type: "UNSUPPORTED_COMPRESSION_TYPE",
  });
  await producer.disconnect();
});

test("acks=0 gets no response but the events are stored", async () => {
  const producer = env.client().producer({ allowAutoTopicCreation: false });
  await producer.connect();
  await producer.send({ topic: "acks-zero", acks: 0, messages: [{ value: "fire-and-forget" }] });
  await producer.send({ topic: "acks-zero", acks: 0, messages: [{ value: "again" }] });
  await producer.disconnect();
  const got = await consumeAll("acks-zero", 2);
  expect(got.map((m) => m.value)).toEqual(["fire-and-forget", "again"]);
});
