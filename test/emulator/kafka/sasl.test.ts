/** SASL PLAIN with `$ConnectionString`: accepted, refused the way Event Hubs refuses, and scoped by EntityPath and rights. */
import { afterAll, beforeAll, expect, test } from "vitest";
import { startKafkaEnv, type KafkaTestEnv } from "./kafka-test-env.js";
import { frame, rawConnect } from "./raw-socket.js";

let env: KafkaTestEnv;
beforeAll(async () => {
  env = await startKafkaEnv([
    { name: "festival-events", partitions: 4 },
    { name: "eh1", partitions: 2 },
  ], { policies: [
    { keyName: "RootManageSharedAccessKey", key: "SAS_KEY_VALUE", rights: ["Manage"] },
    { keyName: "scanner-listen", key: "bGlzdGVuLW9ubHk=", rights: ["Listen"] },
  ] });
});
afterAll(() => env.close());

const withKey = (cs: string, key: string) => cs.replace(/SharedAccessKey=[^;]*/, `SharedAccessKey=${key}`);

async function connectAdmin(username: string, password: string) {
  const admin = env.client({ sasl: { mechanism: "plain", username, password }, retry: { retries: 0 } }).admin();
  await admin.connect();
  return admin;
}

test("the emulator's connection string is accepted", async () => {
  const admin = await connectAdmin("$ConnectionString", env.kafka.connectionString);
  expect((await admin.listTopics()).sort()).toEqual(["eh1", "festival-events"]);
  await admin.disconnect();
});

test("a wrong SharedAccessKey is refused with SASL_AUTHENTICATION_FAILED", async () => {
  const err = await connectAdmin("$ConnectionString", withKey(env.kafka.connectionString, "d3Jvbmc=")).catch((e: Error) => e);
  expect(err).toBeInstanceOf(Error);
  expect((err as Error).name).toBe("KafkaJSSASLAuthenticationError");
  expect((err as Error).message).toMatch(/SharedAccessKey for policy 'RootManageSharedAccessKey' is not valid/);
});

test("a user name other than $ConnectionString is refused", async () => {
  const err = await connectAdmin("alice", env.kafka.connectionString).catch((e: Error) => e);
  expect((err as Error).name).toBe("KafkaJSSASLAuthenticationError");
  expect((err as Error).message).toMatch(/expected \$ConnectionString/);
});

test("a SAS token is refused: the Kafka endpoint takes only keys", async () => {
  const token = "Endpoint=sb://localhost/;SharedAccessSignature=SharedAccessSignature sr=x&sig=y&se=1&skn=RootManageSharedAccessKey";
  const err = await connectAdmin("$ConnectionString", token).catch((e: Error) => e);
  expect((err as Error).message).toMatch(/SharedAccessSignature tokens are not supported/);
});

test("an EntityPath connection string sees and writes only its event hub", async () => {
  const scoped = `${env.kafka.connectionString}EntityPath=eh1;`;
  const kafka = env.client({ sasl: { mechanism: "plain", username: "$ConnectionString", password: scoped } });
  const admin = kafka.admin();
  await admin.connect();
  expect(await admin.listTopics()).toEqual(["eh1"]);
  await admin.disconnect();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  await expect(producer.send({ topic: "eh1", messages: [{ value: "ok" }] })).resolves.toHaveLength(1);
  await expect(producer.send({ topic: "festival-events", messages: [{ value: "no" }] })).rejects.toMatchObject({ cause: { type: "TOPIC_AUTHORIZATION_FAILED" } });
  await producer.disconnect();
});

test("a Listen-only policy cannot send", async () => {
  const listen = withKey(env.kafka.connectionString, "bGlzdGVuLW9ubHk=").replace("RootManageSharedAccessKey", "scanner-listen");
  const producer = env.client({ sasl: { mechanism: "plain", username: "$ConnectionString", password: listen } }).producer({ allowAutoTopicCreation: false });
  await producer.connect();
  await expect(producer.send({ topic: "eh1", messages: [{ value: "no" }] })).rejects.toMatchObject({ type: "TOPIC_AUTHORIZATION_FAILED" });
  await producer.disconnect();
});

test("before authentication only ApiVersions and the SASL exchange are answered; anything else closes the connection", async () => {
  const conn = await rawConnect(env.kafka.port);
  conn.socket.write(frame(18, 2, 1));
  const versions = await conn.response();
  expect(versions.correlationId).toBe(1);
  expect(versions.body.readInt16BE(0)).toBe(0);
  conn.socket.write(frame(3, 5, 2, Buffer.from([0xff, 0xff, 0xff, 0xff, 0])));
  await conn.closed();
  expect(conn.received().length).toBe(4 + versions.body.length + 4);
});

/** SaslHandshake v0 (kafka-python 2.0.2, other pre-KIP-152 clients): the token follows unframed, as raw SASL bytes. */
function handshakeV0(correlationId: number): Buffer {
  const mechanism = Buffer.from("PLAIN");
  const body = Buffer.alloc(2 + mechanism.length);
  body.writeInt16BE(mechanism.length, 0);
  mechanism.copy(body, 2);
  return frame(17, 0, correlationId, body);
}

function rawPlainToken(password: string): Buffer {
  const token = Buffer.from(`\0$ConnectionString\0${password}`);
  const size = Buffer.alloc(4);
  size.writeInt32BE(token.length);
  return Buffer.concat([size, token]);
}

test("after SaslHandshake v0 the raw PLAIN token logs in, answered by an empty raw frame", async () => {
  const conn = await rawConnect(env.kafka.port);
  conn.socket.write(handshakeV0(1));
  const handshake = await conn.response();
  expect(handshake.body.readInt16BE(0)).toBe(0);
  conn.socket.write(rawPlainToken(env.kafka.connectionString));
  expect(await conn.rawPacket()).toHaveLength(0);
  conn.socket.write(frame(3, 1, 2, Buffer.from([0xff, 0xff, 0xff, 0xff])));
  const metadata = await conn.response();
  expect(metadata.correlationId).toBe(2);
  conn.socket.destroy();
});

test("after SaslHandshake v0 a raw token with a wrong key closes the connection", async () => {
  const conn = await rawConnect(env.kafka.port);
  conn.socket.write(handshakeV0(1));
  await conn.response();
  const before = conn.received().length;
  conn.socket.write(rawPlainToken(withKey(env.kafka.connectionString, "d3Jvbmc=")));
  await conn.closed();
  expect(conn.received().length).toBe(before);
});
