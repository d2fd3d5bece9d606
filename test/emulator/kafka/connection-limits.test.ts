/**
 * Connection limits on the Kafka port: a smaller request size before SASL, a deadline to authenticate, an idle
 * close (Event Hubs' 240 s, short here), and a cap on pipelined requests past which the socket is not read. Raw
 * sockets do what kafkajs never would; kafkajs shows nothing legitimate is cut.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { startKafkaEnv, type KafkaTestEnv } from "./kafka-test-env.js";
import { frame, rawConnect, rawLogin } from "./raw-socket.js";

const AUTH_MS = 600;
const IDLE_MS = 700;
const QUEUED = 4 * 1024 * 1024;

let env: KafkaTestEnv;
beforeAll(async () => {
  env = await startKafkaEnv([{ name: "quiet", partitions: 1 }, { name: "never-written", partitions: 1 }], {
    limits: { authTimeoutMs: AUTH_MS, idleTimeoutMs: IDLE_MS, maxQueuedBytes: QUEUED },
  });
});
afterAll(async () => {
  await env.close();
});

/** ApiVersions v0 padded to `bytes` in all (the body is not read): a valid request of any size. */
function paddedApiVersions(correlationId: number, bytes: number): Buffer {
  return frame(18, 0, correlationId, Buffer.alloc(bytes - frame(18, 0, 0).length, 0x41));
}

/** A Fetch v4 of partition 0 from offset 0 that waits up to `maxWaitMs` for data. */
function longFetch(topic: string, correlationId: number, maxWaitMs: number): Buffer {
  const name = Buffer.from(topic);
  const body = Buffer.alloc(4 + 4 + 4 + 4 + 1 + 4 + 2 + name.length + 4 + 4 + 8 + 4);
  let at = body.writeInt32BE(-1, 0);
  at = body.writeInt32BE(maxWaitMs, at);
  at = body.writeInt32BE(1, at);
  at = body.writeInt32BE(1_000_000, at);
  at = body.writeInt8(0, at);
  at = body.writeInt32BE(1, at);
  at = body.writeInt16BE(name.length, at);
  at += name.copy(body, at);
  at = body.writeInt32BE(1, at);
  at = body.writeInt32BE(0, at);
  at = body.writeBigInt64BE(0n, at);
  body.writeInt32BE(1_000_000, at);
  return frame(1, 4, correlationId, body);
}

async function bufferBytes(): Promise<number> {
  await new Promise((r) => setImmediate(r));
  return process.memoryUsage().arrayBuffers;
}

test("before SASL a request over 524,288 bytes closes the connection; after SASL the same one is answered", async () => {
  const anonymous = await rawConnect(env.kafka.port);
  anonymous.socket.write(paddedApiVersions(1, 600_000));
  await anonymous.closed();
  expect(anonymous.received().length).toBe(0);

  const client = await rawLogin(env.kafka.port, env.kafka.connectionString);
  client.socket.write(paddedApiVersions(2, 600_000));
  expect((await client.response()).correlationId).toBe(2);
  client.socket.destroy();
});

test("a connection that does not authenticate in time is closed; one that did stays", async () => {
  const started = Date.now();
  const anonymous = await rawConnect(env.kafka.port);
  const client = await rawLogin(env.kafka.port, env.kafka.connectionString);
  await anonymous.closed(AUTH_MS + 2000);
  expect(Date.now() - started).toBeGreaterThanOrEqual(AUTH_MS - 50);
  client.socket.write(frame(18, 2, 3));
  expect((await client.response()).correlationId).toBe(3);
  client.socket.destroy();
});

test("an idle connection is closed, a long-polling Fetch is not idle, and kafkajs reconnects after it", async () => {
  const idle = await rawLogin(env.kafka.port, env.kafka.connectionString);
  const started = Date.now();
  await idle.closed(IDLE_MS + 2000);
  expect(Date.now() - started).toBeGreaterThanOrEqual(IDLE_MS - 50);

  const polling = await rawLogin(env.kafka.port, env.kafka.connectionString);
  polling.socket.write(longFetch("never-written", 4, 2 * IDLE_MS));
  expect((await polling.response(4 * IDLE_MS)).correlationId).toBe(4);
  polling.socket.destroy();

  const producer = env.client().producer({ allowAutoTopicCreation: false });
  await producer.connect();
  await producer.send({ topic: "quiet", messages: [{ value: "before the idle close" }] });
  await new Promise((r) => setTimeout(r, 2 * IDLE_MS));
  await producer.send({ topic: "quiet", messages: [{ value: "after it" }] });
  await producer.disconnect();
});

test("pipelined requests behind a slow one stop being read past the cap, and all are answered in order", async () => {
  const client = await rawLogin(env.kafka.port, env.kafka.connectionString);
  const fetchWaitMs = 1500;
  const count = 32;
  // Built before measuring, so the growth measured is the emulator's, not these 32 MB.
  const requests = Array.from({ length: count }, (_, i) => paddedApiVersions(11 + i, 1_000_000));
  client.socket.write(longFetch("never-written", 10, fetchWaitMs));
  const before = await bufferBytes();
  const writing = (async () => {
    for (const request of requests) {
      await new Promise<void>((done) => client.socket.write(request, () => done()));
    }
  })();
  await new Promise((r) => setTimeout(r, fetchWaitMs / 2));
  const grown = (await bufferBytes()) - before;
  // The emulator holds the cap and a request or two; the kernel's socket buffers take some of the rest (how much
  // depends on the machine), and the client keeps the remainder: far from all 32 MB in the emulator.
  expect(grown).toBeLessThan(QUEUED + 8 * 1024 * 1024);
  await writing;
  const ids: number[] = [];
  for (let i = 0; i <= count; i++) ids.push((await client.response(5000)).correlationId);
  expect(ids).toEqual(Array.from({ length: count + 1 }, (_, i) => 10 + i));
  client.socket.destroy();
});
