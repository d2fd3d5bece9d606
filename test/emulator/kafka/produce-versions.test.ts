/**
 * The Produce versions the endpoint advertises decide whether librdkafka compresses at all: before 2.8 it checks
 * that the broker's Produce range includes v0 for gzip, snappy and lz4 (v7 for zstd), and otherwise logs "Broker
 * does not support compression type" and sends the batch uncompressed. Event Hubs advertises Produce v0-v7, so the
 * endpoint does too, and answers the older request layouts; what a batch holds is still judged as Event Hubs judges
 * it (RecordBatch v2 only, gzip as the only codec).
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { startKafkaEnv, type KafkaTestEnv } from "./kafka-test-env.js";
import { frame, rawConnect, rawLogin } from "./raw-socket.js";

let env: KafkaTestEnv;
beforeAll(async () => {
  env = await startKafkaEnv([{ name: "old-clients", partitions: 1 }]);
});
afterAll(() => env.close());

const PRODUCE = 0;

function advertised(body: Buffer): Map<number, [number, number]> {
  const out = new Map<number, [number, number]>();
  const count = body.readInt32BE(2);
  for (let i = 0, at = 6; i < count; i++, at += 6) {
    out.set(body.readInt16BE(at), [body.readInt16BE(at + 2), body.readInt16BE(at + 4)]);
  }
  return out;
}

test("ApiVersions advertises Produce v0-v7, so librdkafka before 2.8 compresses gzip batches", async () => {
  const conn = await rawConnect(env.kafka.port);
  conn.socket.write(frame(18, 0, 1));
  const { body } = await conn.response();
  expect(advertised(body).get(PRODUCE)).toEqual([0, 7]);
  conn.socket.destroy();
});

/** A v1 message set (magic 1) of one message, as pre-0.11 clients send it. */
function magicOneMessageSet(): Buffer {
  const message = Buffer.alloc(8 + 4 + 23);
  message.writeBigInt64BE(0n, 0);
  message.writeInt32BE(23, 8);
  message.writeInt8(1, 16); // magic, after the CRC at 12..15
  message.writeInt32BE(-1, 26); // null key
  message.writeInt32BE(1, 30);
  message.write("x", 34);
  return message;
}

function produceV2(topic: string, records: Buffer): Buffer {
  const name = Buffer.from(topic);
  const body = Buffer.alloc(2 + 4 + 4 + 2 + name.length + 4 + 4 + 4);
  let at = body.writeInt16BE(1, 0); // acks
  at = body.writeInt32BE(1000, at);
  at = body.writeInt32BE(1, at);
  at = body.writeInt16BE(name.length, at);
  at += name.copy(body, at);
  at = body.writeInt32BE(1, at);
  at = body.writeInt32BE(0, at); // partition
  body.writeInt32BE(records.length, at);
  return frame(PRODUCE, 2, 7, Buffer.concat([body, records]));
}

test("Produce v2 with an old message set gets UNSUPPORTED_FOR_MESSAGE_FORMAT in the v2 layout", async () => {
  const conn = await rawLogin(env.kafka.port, env.kafka.connectionString);
  conn.socket.write(produceV2("old-clients", magicOneMessageSet()));
  const { correlationId, body } = await conn.response();
  expect(correlationId).toBe(7);
  const nameLength = body.readInt16BE(4);
  expect(body.subarray(6, 6 + nameLength).toString()).toBe("old-clients");
  const partition = 6 + nameLength + 4;
  expect(body.readInt32BE(partition)).toBe(0);
  expect(body.readInt16BE(partition + 4)).toBe(43);
  expect(body.readBigInt64BE(partition + 6)).toBe(-1n); // base_offset
  expect(body.readBigInt64BE(partition + 14)).toBe(-1n); // log_append_time (v2)
  expect(body.length).toBe(partition + 22 + 4); // then throttle_time_ms (v1+), nothing else
  conn.socket.destroy();
});
