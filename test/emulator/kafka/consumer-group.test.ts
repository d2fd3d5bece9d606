/**
 * Consumer groups with kafkajs: rebalances when a member joins and when one dies (SIGKILL, evicted by session
 * timeout on the emulator clock), resuming from committed offsets, and fromBeginning replay.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { Consumer, EachMessagePayload } from "kafkajs";
import { afterAll, beforeAll, expect, test } from "vitest";
import { eventually, startKafkaEnv, type KafkaTestEnv } from "./kafka-test-env.js";

const TOPIC = "festival-events";
let env: KafkaTestEnv;
beforeAll(async () => {
  env = await startKafkaEnv([{ name: TOPIC, partitions: 4 }]);
});
afterAll(() => env.close());

async function produce(values: { value: string; partition?: number; key?: string }[]): Promise<void> {
  const producer = env.client().producer({ allowAutoTopicCreation: false });
  await producer.connect();
  await producer.send({ topic: TOPIC, messages: values });
  await producer.disconnect();
}

interface Member {
  consumer: Consumer;
  assignment: number[];
  received: { partition: number; value: string }[];
}

async function startMember(groupId: string, opts: { sessionTimeout?: number; fromBeginning?: boolean; autoCommit?: boolean } = {}): Promise<Member> {
  const consumer = env.client().consumer({ groupId, sessionTimeout: opts.sessionTimeout ?? 30_000, heartbeatInterval: 100, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  const member: Member = { consumer, assignment: [], received: [] };
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    member.assignment = [...(e.payload.memberAssignment[TOPIC] ?? [])].sort();
  });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: opts.fromBeginning ?? false });
  await consumer.run({
    autoCommit: opts.autoCommit ?? true,
    eachMessage: async ({ partition, message }: EachMessagePayload) => {
      member.received.push({ partition, value: message.value!.toString() });
    },
  });
  return member;
}

function spawnMember(groupId: string): { child: ChildProcess; assignment: () => number[]; received: string[] } {
  const child = spawn(process.execPath, [fileURLToPath(new URL("./fixtures/group-member.mjs", import.meta.url))], {
    env: { ...process.env, BROKERS: env.kafka.bootstrapServers, PASSWORD: env.kafka.connectionString, TOPIC, GROUP: groupId, SESSION_TIMEOUT: "6000" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let assignment: number[] = [];
  const received: string[] = [];
  createInterface({ input: child.stdout! }).on("line", (line) => {
    const event = JSON.parse(line) as { join?: number[]; value?: string };
    if (event.join) assignment = [...event.join].sort();
    if (event.value !== undefined) received.push(event.value);
  });
  return { child, assignment: () => assignment, received };
}

test("a group of two splits the partitions when the second member joins, and the survivor takes all when a member is killed", async () => {
  const group = "ticket-scanners";
  const a = await startMember(group);
  await eventually(() => a.assignment.length === 4, "the first member to own all 4 partitions");

  const b = spawnMember(group);
  try {
    await eventually(() => a.assignment.length === 2 && b.assignment().length === 2, "a 2/2 split after the second member joined");
    expect([...a.assignment, ...b.assignment()].sort()).toEqual([0, 1, 2, 3]);

    await produce([0, 1, 2, 3].map((p) => ({ value: `split-${p}`, partition: p })));
    await eventually(() => a.received.length + b.received.length === 4, "both members to receive the 4 messages");
    expect(a.received.map((m) => m.partition).sort()).toEqual(a.assignment);
    expect(b.received.length).toBe(2);

    b.child.kill("SIGKILL");
    await new Promise((resolve) => b.child.once("exit", resolve));
    // The killed member's 6 s session runs out on the emulator clock; the survivor's 30 s session does not.
    env.clock.advance(6_000);
    await eventually(() => a.assignment.length === 4, "the survivor to take over all 4 partitions");

    await produce([0, 1, 2, 3].map((p) => ({ value: `after-kill-${p}`, partition: p })));
    await eventually(() => a.received.filter((m) => m.value.startsWith("after-kill")).length === 4, "the survivor to receive from every partition");
  } finally {
    b.child.kill("SIGKILL");
    await a.consumer.disconnect();
  }
});

test("a new member of a group resumes after the committed offsets", async () => {
  const group = "box-office";
  const first = await startMember(group);
  await eventually(() => first.assignment.length === 4, "the member to own all partitions");
  await produce(["r1", "r2", "r3"].map((value) => ({ value, partition: 1 })));
  await eventually(() => first.received.length === 3, "the first member to consume 3 messages");
  await first.consumer.disconnect();

  await produce(["r4", "r5"].map((value) => ({ value, partition: 1 })));
  // fromBeginning applies only where nothing was committed; partition 1 must resume after r3.
  const second = await startMember(group, { fromBeginning: true });
  await eventually(() => second.received.some((m) => m.value === "r5"), "the second member to consume the new messages");
  await second.consumer.disconnect();
  expect(second.received.filter((m) => m.partition === 1).map((m) => m.value)).toEqual(["r4", "r5"]);
});

test("fromBeginning replays the whole hub to a new group; without it a new group sees only new events", async () => {
  await produce([{ value: "replay-me", partition: 3 }]);
  const admin = env.client().admin();
  await admin.connect();
  const total = (await admin.fetchTopicOffsets(TOPIC)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  await admin.disconnect();

  const replay = await startMember("replay-group", { fromBeginning: true });
  const latest = await startMember("latest-group", { fromBeginning: false });
  await eventually(() => replay.received.length === total, `the replaying group to read all ${total} events`);
  await eventually(() => latest.assignment.length === 4, "the latest-only group to be assigned");
  await produce([{ value: "fresh", partition: 0 }]);
  await eventually(() => latest.received.length === 1, "the latest-only group to see the new event");
  await eventually(() => replay.received.length === total + 1, "the replaying group to see the new event");
  expect(latest.received[0].value).toBe("fresh");
  expect(replay.received.map((m) => m.value)).toContain("replay-me");
  await Promise.all([replay.consumer.disconnect(), latest.consumer.disconnect()]);
});
