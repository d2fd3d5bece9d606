/** The offset admin calls kafkajs offers: fetchOffsets, fetchTopicOffsets(ByTimestamp), setOffsets, resetOffsets, groups. */
import { afterAll, beforeAll, expect, test } from "vitest";
import { eventually, startKafkaEnv, type KafkaTestEnv } from "./kafka-test-env.js";

const TOPIC = "festival-events";
let env: KafkaTestEnv;
beforeAll(async () => {
  env = await startKafkaEnv([{ name: TOPIC, partitions: 2 }]);
  const producer = env.client().producer({ allowAutoTopicCreation: false });
  await producer.connect();
  await producer.send({
    topic: TOPIC,
    messages: [
      { partition: 0, value: "early", timestamp: "1000000" },
      { partition: 0, value: "middle", timestamp: "2000000" },
      { partition: 0, value: "late", timestamp: "3000000" },
      { partition: 1, value: "other", timestamp: "1500000" },
    ],
  });
  await producer.disconnect();
});
afterAll(() => env.close());

test("fetchTopicOffsets gives low and high watermarks; by timestamp gives the first event at or after it", async () => {
  const admin = env.client().admin();
  await admin.connect();
  const offsets = (await admin.fetchTopicOffsets(TOPIC)).sort((a, b) => a.partition - b.partition);
  expect(offsets.map((o) => [o.partition, o.low, o.high])).toEqual([[0, "0", "3"], [1, "0", "1"]]);
  const byTime = (await admin.fetchTopicOffsetsByTimestamp(TOPIC, 1_800_000)).sort((a, b) => a.partition - b.partition);
  // Partition 1 has nothing at or after the timestamp: kafkajs falls back to the high watermark.
  expect(byTime).toEqual([{ partition: 0, offset: "1" }, { partition: 1, offset: "1" }]);
  await admin.disconnect();
});

test("a consumer's commits show in fetchOffsets, listGroups and describeGroups; an empty group can be deleted", async () => {
  const consumer = env.client().consumer({ groupId: "settlement", maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  let seen = 0;
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  await consumer.run({ eachMessage: async () => void seen++ });
  await eventually(() => seen === 4, "the consumer to read the 4 events");

  const admin = env.client().admin();
  await admin.connect();
  const running = await admin.describeGroups(["settlement"]);
  expect(running.groups[0]).toMatchObject({ groupId: "settlement", state: "Stable", protocolType: "consumer", protocol: "RoundRobinAssigner" });
  expect(running.groups[0].members).toHaveLength(1);
  await expect(admin.deleteGroups(["settlement"])).rejects.toThrow();
  await consumer.disconnect();

  const committed = await admin.fetchOffsets({ groupId: "settlement", topics: [TOPIC] });
  expect(committed[0].partitions.sort((a, b) => a.partition - b.partition).map((p) => [p.partition, p.offset])).toEqual([[0, "3"], [1, "1"]]);
  expect((await admin.listGroups()).groups).toContainEqual({ groupId: "settlement", protocolType: "consumer" });
  expect((await admin.describeGroups(["settlement"])).groups[0].state).toBe("Empty");

  await admin.deleteGroups(["settlement"]);
  expect((await admin.listGroups()).groups.map((g) => g.groupId)).not.toContain("settlement");
  expect((await admin.fetchOffsets({ groupId: "settlement", topics: [TOPIC] }))[0].partitions.map((p) => p.offset)).toEqual(["-1", "-1"]);
  await admin.disconnect();
});

test("setOffsets and resetOffsets move a stopped group's committed offsets", async () => {
  const admin = env.client().admin();
  await admin.connect();
  // Each call runs a short-lived kafkajs consumer that waits one fetch cycle (about 5 s); run them side by side.
  await Promise.all([
    admin.setOffsets({ groupId: "rewind", topic: TOPIC, partitions: [{ partition: 0, offset: "2" }, { partition: 1, offset: "0" }] }),
    admin.resetOffsets({ groupId: "restart", topic: TOPIC, earliest: true }),
  ]);
  const rewind = await admin.fetchOffsets({ groupId: "rewind", topics: [TOPIC] });
  expect(rewind[0].partitions.sort((a, b) => a.partition - b.partition).map((p) => p.offset)).toEqual(["2", "0"]);
  // kafkajs commits the "earliest" sentinel (-2) verbatim.
  const restart = await admin.fetchOffsets({ groupId: "restart", topics: [TOPIC] });
  expect(restart[0].partitions.map((p) => p.offset)).toEqual(["-2", "-2"]);
  await admin.disconnect();

  const consumer = env.client().consumer({ groupId: "rewind", maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  const got: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC });
  await consumer.run({ eachMessage: async ({ message }) => void got.push(message.value!.toString()) });
  await eventually(() => got.length === 2, "the rewound group to read from the set offsets");
  await consumer.disconnect();
  expect(got.sort()).toEqual(["late", "other"]);
}, 20_000);
