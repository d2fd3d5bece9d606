/**
 * Event Hubs limits and bad input: the 1 MB request limit, retention on the emulator clock, and garbage on raw
 * sockets closing only those connections while a kafkajs producer and consumer keep working.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { eventually, startKafkaEnv, type KafkaTestEnv } from "./kafka-test-env.js";
import { frame, rawConnect } from "./raw-socket.js";

let env: KafkaTestEnv;
let lenient: KafkaTestEnv;
beforeAll(async () => {
  env = await startKafkaEnv([
    { name: "big-events", partitions: 1 },
    { name: "short-lived", partitions: 1, retentionHours: 1 },
    { name: "festival-events", partitions: 2 },
  ]);
  lenient = await startKafkaEnv([{ name: "big-events", partitions: 1 }], { oversizeRequest: "error" });
});
afterAll(async () => {
  await env.close();
  await lenient.close();
});

async function highWatermark(e: KafkaTestEnv, topic: string): Promise<{ low: string; high: string }> {
  const admin = e.client().admin();
  await admin.connect();
  const [p] = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  return { low: p.low, high: p.high };
}

test("a request over 1,046,528 bytes closes the connection, as Event Hubs does; one just under is accepted", async () => {
  const producer = env.client({ retry: { retries: 1, initialRetryTime: 10, maxRetryTime: 20 } }).producer({ allowAutoTopicCreation: false });
  await producer.connect();
  await expect(producer.send({ topic: "big-events", messages: [{ value: Buffer.alloc(1_100_000, 1) }] })).rejects.toThrow(/Connection (closed|error)|ECONNRESET|retries/i);
  expect((await highWatermark(env, "big-events")).high).toBe("0");
  const ok = await producer.send({ topic: "big-events", messages: [{ value: Buffer.alloc(1_040_000, 2) }] });
  expect(ok[0].errorCode).toBe(0);
  await producer.disconnect();
  expect((await highWatermark(env, "big-events")).high).toBe("1");
});

test("with oversizeRequest 'error', an event over 1 MB is refused with MESSAGE_TOO_LARGE", async () => {
  const producer = lenient.client().producer({ allowAutoTopicCreation: false });
  await producer.connect();
  await expect(producer.send({ topic: "big-events", messages: [{ value: Buffer.alloc(1_100_000, 1) }] })).rejects.toMatchObject({ type: "MESSAGE_TOO_LARGE" });
  await producer.disconnect();
});

test("retention deletes events older than the hub's retention on the emulator clock", async () => {
  const producer = env.client().producer({ allowAutoTopicCreation: false });
  await producer.connect();
  await producer.send({ topic: "short-lived", messages: [{ value: "old" }] });
  env.clock.advance(30 * 60_000);
  await producer.send({ topic: "short-lived", messages: [{ value: "new" }] });
  env.clock.advance(31 * 60_000);
  await producer.disconnect();

  expect(await highWatermark(env, "short-lived")).toEqual({ low: "1", high: "2" });
  const consumer = env.client().consumer({ groupId: "late-reader", maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  const got: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: "short-lived", fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void got.push(message.value!.toString()) });
  await eventually(() => got.length === 1, "the retained event");
  await consumer.disconnect();
  expect(got).toEqual(["new"]);
});

function saslFrames(password: string): Buffer[] {
  const mechanism = Buffer.from("\x00\x05PLAIN", "latin1");
  const token = Buffer.from(`\0$ConnectionString\0${password}`);
  const auth = Buffer.alloc(4 + token.length);
  auth.writeInt32BE(token.length);
  token.copy(auth, 4);
  return [frame(17, 1, 1, mechanism), frame(36, 1, 2, auth)];
}

test("garbage, truncated requests, unknown API keys and oversized length prefixes close only their own connection", async () => {
  const kafka = env.client();
  const consumer = kafka.consumer({ groupId: "steady", maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  const got: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: "festival-events", fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void got.push(message.value!.toString()) });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  await producer.send({ topic: "festival-events", messages: [{ value: "before" }] });

  const attacks: { name: string; bytes: Buffer[]; authenticate?: boolean }[] = [
    { name: "random bytes", bytes: [Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n")] },
    { name: "negative length", bytes: [Buffer.from([0xff, 0xff, 0xff, 0xf0, 1, 2, 3])] },
    { name: "oversized length prefix", bytes: [Buffer.from([0x7f, 0xff, 0xff, 0xff])] },
    { name: "unknown API key", bytes: [frame(999, 0, 7)] },
    { name: "unsupported version", bytes: [frame(3, 42, 7)], authenticate: true },
    { name: "truncated Metadata body", bytes: [frame(3, 5, 7, Buffer.from([0, 0, 0, 5, 0, 3]))], authenticate: true },
    { name: "array count larger than the frame", bytes: [frame(1, 6, 7, Buffer.alloc(17, 0x7f))], authenticate: true },
  ];
  for (const attack of attacks) {
    const conn = await rawConnect(env.kafka.port);
    if (attack.authenticate) {
      for (const f of saslFrames(env.kafka.connectionString)) conn.socket.write(f);
      await conn.response();
      const auth = await conn.response();
      expect(auth.body.readInt16BE(0), `${attack.name}: authenticated`).toBe(0);
    }
    for (const b of attack.bytes) conn.socket.write(b);
    await conn.closed().catch(() => {
      throw new Error(`${attack.name}: the connection stayed open`);
    });
  }

  await producer.send({ topic: "festival-events", messages: [{ value: "after" }] });
  await eventually(() => got.includes("after"), "the consumer to keep receiving after the garbage");
  expect(got).toEqual(["before", "after"]);
  await producer.disconnect();
  await consumer.disconnect();
});

test("requests split into single bytes and requests pipelined in one write are answered in order", async () => {
  const conn = await rawConnect(env.kafka.port);
  for (const byte of frame(18, 2, 11)) conn.socket.write(Buffer.from([byte]));
  expect((await conn.response()).correlationId).toBe(11);
  conn.socket.write(Buffer.concat([frame(18, 0, 12), frame(18, 1, 13), frame(18, 2, 14)]));
  const ids = [(await conn.response()).correlationId, (await conn.response()).correlationId, (await conn.response()).correlationId];
  expect(ids).toEqual([12, 13, 14]);
  // ApiVersions above v2 is answered in the v0 layout with UNSUPPORTED_VERSION, so newer clients downgrade (KIP-511).
  conn.socket.write(frame(18, 3, 15));
  const tooNew = await conn.response();
  expect(tooNew.body.readInt16BE(0)).toBe(35);
  conn.socket.destroy();
});
