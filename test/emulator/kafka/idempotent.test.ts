/**
 * Idempotent producers, which Event Hubs supports ("Azure Event Hubs for Apache Kafka supports both idempotent
 * producers and idempotent consumers") and which Java clients 3.0+ turn on by default: InitProducerId answers, and
 * each partition checks producer epochs and sequence numbers as a Kafka broker does.
 */
import { crc32c } from "@node-rs/crc32";
import { afterAll, beforeAll, expect, test } from "vitest";
import { eventually, startKafkaEnv, type KafkaTestEnv } from "./kafka-test-env.js";
import { frame, type RawConnection, rawLogin } from "./raw-socket.js";

let env: KafkaTestEnv;
beforeAll(async () => {
  env = await startKafkaEnv([
    { name: "idempotent-events", partitions: 2 },
    { name: "raw-idempotent", partitions: 4 },
    { name: "short-lived", partitions: 1, retentionHours: 1 },
  ]);
});
afterAll(() => env.close());

test("kafkajs with idempotent: true produces, and every event is stored once", async () => {
  const producer = env.client().producer({ idempotent: true, allowAutoTopicCreation: false });
  await producer.connect();
  for (let i = 0; i < 3; i++) {
    await producer.send({ topic: "idempotent-events", acks: -1, messages: [{ key: "k", value: `ticket-${i}` }] });
  }
  await producer.disconnect();
  const consumer = env.client().consumer({ groupId: "idempotent-reader", maxWaitTimeInMs: 100 });
  const got: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: "idempotent-events", fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void got.push(message.value!.toString()) });
  await eventually(() => got.length >= 3, "3 idempotent events");
  await consumer.disconnect();
  expect(got).toEqual(["ticket-0", "ticket-1", "ticket-2"]);
});

/** A RecordBatch v2 of `count` one-byte records from an idempotent producer. */
function idempotentBatch(producerId: bigint, epoch: number, baseSequence: number, count = 1): Buffer {
  const records = Buffer.concat(
    Array.from({ length: count }, (_, i) => {
      // length, attributes, timestampDelta 0, offsetDelta i, key null (-1), value length 1, "v", no headers
      const body = Buffer.from([0, 0, i * 2, 1, 2, 0x76, 0]);
      return Buffer.concat([Buffer.from([body.length * 2]), body]);
    }),
  );
  const batch = Buffer.alloc(61 + records.length);
  batch.writeInt32BE(49 + records.length, 8);
  batch.writeInt8(2, 16);
  batch.writeInt32BE(count - 1, 23);
  batch.writeBigInt64BE(BigInt(Date.now()), 27);
  batch.writeBigInt64BE(BigInt(Date.now()), 35);
  batch.writeBigInt64BE(producerId, 43);
  batch.writeInt16BE(epoch, 51);
  batch.writeInt32BE(baseSequence, 53);
  batch.writeInt32BE(count, 57);
  records.copy(batch, 61);
  batch.writeUInt32BE(crc32c(batch.subarray(21)) >>> 0, 17);
  return batch;
}

let correlation = 100;

async function initProducerId(conn: RawConnection): Promise<{ error: number; producerId: bigint; epoch: number }> {
  const body = Buffer.alloc(6);
  body.writeInt16BE(-1, 0); // transactional_id null
  body.writeInt32BE(60_000, 2);
  conn.socket.write(frame(22, 1, ++correlation, body));
  const { body: r } = await conn.response();
  return { error: r.readInt16BE(4), producerId: r.readBigInt64BE(6), epoch: r.readInt16BE(14) };
}

/** Produce v7 (acks -1) of one batch to `partition` of `topic`; returns its error code and base offset. */
async function produce(
  conn: RawConnection,
  partition: number,
  batch: Buffer,
  topic = "raw-idempotent",
): Promise<{ error: number; baseOffset: bigint }> {
  const name = Buffer.from(topic);
  const head = Buffer.alloc(2 + 2 + 4 + 4 + 2 + name.length + 4 + 4 + 4);
  let at = head.writeInt16BE(-1, 0); // transactional_id null
  at = head.writeInt16BE(-1, at); // acks all
  at = head.writeInt32BE(5000, at);
  at = head.writeInt32BE(1, at);
  at = head.writeInt16BE(name.length, at);
  at += name.copy(head, at);
  at = head.writeInt32BE(1, at);
  at = head.writeInt32BE(partition, at);
  head.writeInt32BE(batch.length, at);
  conn.socket.write(frame(0, 7, ++correlation, Buffer.concat([head, batch])));
  const { body } = await conn.response();
  const p = 4 + 2 + name.length + 4 + 4; // topics count, name, partitions count, partition index
  return { error: body.readInt16BE(p), baseOffset: body.readBigInt64BE(p + 2) };
}

test("InitProducerId gives each idempotent producer its own id at epoch 0", async () => {
  const conn = await rawLogin(env.kafka.port, env.kafka.connectionString);
  const a = await initProducerId(conn);
  const b = await initProducerId(conn);
  expect(a).toMatchObject({ error: 0, epoch: 0 });
  expect(a.producerId).toBeGreaterThanOrEqual(0n);
  expect(b.producerId).not.toBe(a.producerId);
  conn.socket.destroy();
});

test("a retried batch is acknowledged with its first offset and stored once", async () => {
  const conn = await rawLogin(env.kafka.port, env.kafka.connectionString);
  const { producerId } = await initProducerId(conn);
  expect(await produce(conn, 0, idempotentBatch(producerId, 0, 0, 2))).toEqual({ error: 0, baseOffset: 0n });
  expect(await produce(conn, 0, idempotentBatch(producerId, 0, 0, 2))).toEqual({ error: 0, baseOffset: 0n });
  expect(await produce(conn, 0, idempotentBatch(producerId, 0, 2))).toEqual({ error: 0, baseOffset: 2n });
  conn.socket.destroy();
});

test("a sequence gap or a reordering is refused with OUT_OF_ORDER_SEQUENCE_NUMBER and nothing is stored", async () => {
  const conn = await rawLogin(env.kafka.port, env.kafka.connectionString);
  const { producerId } = await initProducerId(conn);
  expect(await produce(conn, 1, idempotentBatch(producerId, 0, 0))).toEqual({ error: 0, baseOffset: 0n });
  expect((await produce(conn, 1, idempotentBatch(producerId, 0, 5))).error).toBe(45);
  expect(await produce(conn, 1, idempotentBatch(producerId, 0, 1))).toEqual({ error: 0, baseOffset: 1n });
  conn.socket.destroy();
});

test("a batch from an older epoch than one already seen is fenced with INVALID_PRODUCER_EPOCH", async () => {
  const conn = await rawLogin(env.kafka.port, env.kafka.connectionString);
  const { producerId } = await initProducerId(conn);
  expect((await produce(conn, 2, idempotentBatch(producerId, 0, 0))).error).toBe(0);
  // A new epoch must start again at 0 (a client bumps it after an unresolved failure).
  expect((await produce(conn, 2, idempotentBatch(producerId, 1, 1))).error).toBe(45);
  expect((await produce(conn, 2, idempotentBatch(producerId, 1, 0))).error).toBe(0);
  expect((await produce(conn, 2, idempotentBatch(producerId, 0, 1))).error).toBe(47);
  conn.socket.destroy();
});

test("a producer the partition has no record of must start at sequence 0, else UNKNOWN_PRODUCER_ID", async () => {
  const conn = await rawLogin(env.kafka.port, env.kafka.connectionString);
  const { producerId } = await initProducerId(conn);
  expect((await produce(conn, 3, idempotentBatch(producerId, 0, 7))).error).toBe(59);
  expect(await produce(conn, 3, idempotentBatch(producerId, 0, 0))).toEqual({ error: 0, baseOffset: 0n });
  conn.socket.destroy();
});

test("a producer whose batches retention deleted is forgotten: going on is UNKNOWN_PRODUCER_ID", async () => {
  const conn = await rawLogin(env.kafka.port, env.kafka.connectionString);
  const { producerId } = await initProducerId(conn);
  expect((await produce(conn, 0, idempotentBatch(producerId, 0, 0), "short-lived")).error).toBe(0);
  expect((await produce(conn, 0, idempotentBatch(producerId, 0, 1), "short-lived")).error).toBe(0);
  env.clock.advance(61 * 60_000);
  expect((await produce(conn, 0, idempotentBatch(producerId, 0, 2), "short-lived")).error).toBe(59);
  const restarted = await produce(conn, 0, idempotentBatch(producerId, 0, 0), "short-lived");
  expect(restarted).toEqual({ error: 0, baseOffset: 2n });
  conn.socket.destroy();
});
