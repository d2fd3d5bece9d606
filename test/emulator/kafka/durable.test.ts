/** Durable mode: partition logs and committed offsets under `${dataDir}/kafka/` survive a restart. */
import { appendFileSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { eventually, startKafkaEnv, type KafkaTestEnv } from "./kafka-test-env.js";

const TOPIC = "festival-events";
const dataDir = mkdtempSync(join(tmpdir(), "kafka-durable-"));
const hubs = [{ name: TOPIC, partitions: 2 }];
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function consume(env: KafkaTestEnv, groupId: string, until: (got: string[]) => boolean): Promise<string[]> {
  const consumer = env.client().consumer({ groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  const got: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void got.push(message.value!.toString()) });
  await eventually(() => until(got), `group ${groupId} to consume`);
  await consumer.disconnect();
  return got;
}

test("events and committed offsets survive a restart; a torn write at the end of a segment is dropped", async () => {
  const first = await startKafkaEnv(hubs, { dataDir });
  const producer = first.client().producer({ allowAutoTopicCreation: false });
  await producer.connect();
  await producer.send({ topic: TOPIC, messages: [{ partition: 0, value: "one" }, { partition: 0, value: "two" }, { partition: 1, value: "three", key: "k" }] });
  await producer.disconnect();
  expect((await consume(first, "persisted", (g) => g.length === 3)).sort()).toEqual(["one", "three", "two"]);
  await first.close();

  // A crash in the middle of a write leaves half a batch at the end of the active segment.
  const dir = join(dataDir, "kafka", "logs", `${TOPIC}-0`);
  const segment = readdirSync(dir).find((f) => f.endsWith(".log"))!;
  appendFileSync(join(dir, segment), Buffer.from([0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 1, 0, 1, 2, 3]));

  const second = await startKafkaEnv(hubs, { dataDir });
  try {
    const admin = second.client().admin();
    await admin.connect();
    const offsets = (await admin.fetchTopicOffsets(TOPIC)).sort((a, b) => a.partition - b.partition);
    expect(offsets.map((o) => o.high)).toEqual(["2", "1"]);
    const committed = (await admin.fetchOffsets({ groupId: "persisted", topics: [TOPIC] }))[0].partitions.sort((a, b) => a.partition - b.partition);
    expect(committed.map((p) => p.offset)).toEqual(["2", "1"]);
    await admin.disconnect();

    const p2 = second.client().producer({ allowAutoTopicCreation: false });
    await p2.connect();
    const sent = await p2.send({ topic: TOPIC, messages: [{ partition: 0, value: "four" }] });
    await p2.disconnect();
    expect(sent[0].baseOffset).toBe("2");
    // The group resumes after its commits; a new group replays everything from disk.
    expect(await consume(second, "persisted", (g) => g.length === 1)).toEqual(["four"]);
    expect((await consume(second, "fresh", (g) => g.length === 4)).sort()).toEqual(["four", "one", "three", "two"]);
  } finally {
    await second.close();
  }
});

test("events deleted by retention stay deleted after a restart", async () => {
  const retentionDir = mkdtempSync(join(tmpdir(), "kafka-retention-"));
  const retained = [{ name: "short-lived", partitions: 1, retentionHours: 1 }];
  try {
    const first = await startKafkaEnv(retained, { dataDir: retentionDir });
    const producer = first.client().producer({ allowAutoTopicCreation: false });
    await producer.connect();
    await producer.send({ topic: "short-lived", messages: [{ value: "expires" }] });
    first.clock.advance(61 * 60_000);
    await producer.send({ topic: "short-lived", messages: [{ value: "stays" }] });
    await producer.disconnect();
    await first.close();

    // A fresh clock: the deletion must come from the stored log start, not from re-running retention.
    const second = await startKafkaEnv(retained, { dataDir: retentionDir });
    try {
      const admin = second.client().admin();
      await admin.connect();
      const [offsets] = await admin.fetchTopicOffsets("short-lived");
      await admin.disconnect();
      expect([offsets.low, offsets.high]).toEqual(["1", "2"]);
    } finally {
      await second.close();
    }
  } finally {
    rmSync(retentionDir, { recursive: true, force: true });
  }
});
