import { Kafka, logLevel, type KafkaMessage } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../../emulator/index.js";
import { serviceBusConfig } from "../../helpers/servicebus.js";
import { startFixtureHost, type FixtureHost } from "./start-fixture-host.js";

let emulator: Emulator;
let kafka: Kafka;
let host: FixtureHost;

const hubs = [
  { Name: "orders-stream", PartitionCount: 2 },
  { Name: "orders-forwarded", PartitionCount: 1 },
  { Name: "batch-stream", PartitionCount: 1 },
  { Name: "binary-stream", PartitionCount: 1 },
];

beforeAll(async () => {
  emulator = await startEmulator({
    servicebusConfig: serviceBusConfig([]),
    eventhubsConfig: { UserConfig: { NamespaceConfig: [{ Type: "EventHub", Name: "emulatorNs1", Entities: hubs.map((h) => ({ ...h, ConsumerGroups: [] })) }], LoggingConfig: { Type: "Console" } } },
    servicebusPort: 0,
    httpPort: 0,
    kafkaPort: 0,
  });
  kafka = new Kafka({
    clientId: "test",
    brokers: [emulator.kafka.bootstrapServers],
    sasl: { mechanism: "plain", username: "$ConnectionString", password: emulator.kafka.connectionString },
    logLevel: logLevel.NOTHING,
  });
  host = await startFixtureHost({
    clock: emulator.clock,
    env: {
      KafkaBrokerList: emulator.kafka.bootstrapServers,
      KafkaConnection: emulator.kafka.connectionString,
      "AzureWebJobs.kafka-order.Disabled": "false",
      "AzureWebJobs.kafka-batch.Disabled": "false",
      "AzureWebJobs.kafka-binary.Disabled": "false",
    },
  });
});
afterAll(async () => {
  await host?.close();
  await emulator?.close();
});

interface SeenRecord {
  functionName: string;
  event: unknown;
  triggerMetadata: Record<string, unknown>;
}
async function seenRecords(functionName: string): Promise<SeenRecord[]> {
  const seen = (await (await fetch(`${host.url}/api/inspect`)).json()) as { kafka: SeenRecord[] };
  return seen.kafka.filter((r) => r.functionName === functionName);
}

async function produce(topic: string, messages: { key?: string; value: string | Buffer; headers?: Record<string, string> }[]): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages });
  await producer.disconnect();
}

async function consume(topic: string, count: number): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({ groupId: `reader-${topic}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const got: KafkaMessage[] = [];
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        got.push(message);
        if (got.length === count) resolve();
      },
    });
  });
  await consumer.disconnect();
  return got;
}

describe("Kafka trigger (cardinality one, dataType string)", () => {
  it("runs the function with the record as the extension's event JSON and its trigger metadata", async () => {
    const done = host.nextInvocation("kafka-order");
    await produce("orders-stream", [{ key: "order-7", value: '{"orderId":7}', headers: { "x-correlation-id": "corr-kafka-7", tenant: "t1" } }]);
    const record = await done;
    expect(record).toMatchObject({ trigger: "kafkaTrigger", outcome: "succeeded", correlationId: "corr-kafka-7" });

    const [seen] = await seenRecords("kafka-order");
    const event = seen.event as Record<string, unknown>;
    expect(event).toMatchObject({ Topic: "orders-stream", Key: "order-7", Value: '{"orderId":7}', Offset: 0 });
    expect([0, 1]).toContain(event.Partition);
    expect(Date.now() - Date.parse(event.Timestamp as string)).toBeLessThan(60_000);
    // Header values are byte arrays in the extension, so they arrive base64-encoded.
    expect(event.Headers).toEqual([
      { Key: "x-correlation-id", Value: Buffer.from("corr-kafka-7").toString("base64") },
      { Key: "tenant", Value: Buffer.from("t1").toString("base64") },
    ]);
    // Metadata keys are camel-cased by the library, as under the real host.
    expect(seen.triggerMetadata).toMatchObject({ key: "order-7", topic: "orders-stream", partition: event.Partition, offset: 0, timestamp: event.Timestamp });
    expect(seen.triggerMetadata.headers).toEqual([
      { key: "x-correlation-id", value: Buffer.from("corr-kafka-7").toString("base64") },
      { key: "tenant", value: Buffer.from("t1").toString("base64") },
    ]);
  });

  it("produces the function's Kafka output: an event-shaped record with its key and headers, and a plain value", async () => {
    const out = await consume("orders-forwarded", 2);
    expect(out.map((m) => m.value?.toString())).toEqual(['{"orderId":7} forwarded', '{"plain":"{\\"orderId\\":7}"}']);
    expect(out[0].key?.toString()).toBe("order-7");
    expect(out[0].headers?.source?.toString()).toBe("kafka-order");
    expect(out[1].key).toBeNull();
  });

  it("commits past a record whose function fails and goes on with the next one", async () => {
    const before = host.invocations.length;
    await produce("orders-stream", [
      { key: "same", value: "fail" },
      { key: "same", value: "after the failure" },
    ]);
    const first = await host.nextInvocation("kafka-order", before);
    const second = await host.nextInvocation("kafka-order", host.invocations.indexOf(first) + 1);
    expect([first.outcome, second.outcome]).toEqual(["failed", "succeeded"]);
    const values = (await seenRecords("kafka-order")).map((r) => (r.event as { Value: string }).Value);
    expect(values.slice(-2)).toEqual(["fail", "after the failure"]);

    // Each partition's committed offset is the next record to read (-1: none committed); the commit follows the
    // invocation, so it is polled for.
    const admin = kafka.admin();
    await admin.connect();
    let total = 0;
    for (let tries = 0; tries < 50 && total !== 3; tries++) {
      const [committed] = await admin.fetchOffsets({ groupId: "fixture-orders", topics: ["orders-stream"] });
      total = committed.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
      if (total !== 3) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await admin.disconnect();
    expect(total).toBe(3);
  });
});

describe("Kafka trigger variants", () => {
  it("hands a cardinality 'many' function the records as an array of events, with <Name>Array metadata", async () => {
    await produce("batch-stream", [1, 2, 3, 4, 5].map((n) => ({ key: `k${n}`, value: `v${n}` })));
    const events: { Value: string; Offset: number }[] = [];
    const keys: unknown[] = [];
    while (events.length < 5) {
      await host.nextInvocation("kafka-batch", host.invocations.filter((r) => r.functionName === "kafka-batch").length === 0 ? 0 : host.invocations.length);
      events.length = 0;
      keys.length = 0;
      for (const batch of await seenRecords("kafka-batch")) {
        events.push(...(batch.event as { Value: string; Offset: number }[]));
        keys.push(...(batch.triggerMetadata.keyArray as unknown[]));
        expect((batch.triggerMetadata.offsetArray as unknown[]).length).toBe((batch.event as unknown[]).length);
      }
    }
    expect(events.map((e) => e.Value)).toEqual(["v1", "v2", "v3", "v4", "v5"]);
    expect(events.map((e) => e.Offset)).toEqual([0, 1, 2, 3, 4]);
    expect(keys).toEqual(["k1", "k2", "k3", "k4", "k5"]);
  });

  it("hands a dataType 'binary' function the value's bytes", async () => {
    const done = host.nextInvocation("kafka-binary");
    await produce("binary-stream", [{ key: "b", value: Buffer.from([0, 1, 2, 255]) }]);
    await done;
    const [seen] = await seenRecords("kafka-binary");
    expect(seen.event).toEqual({ bytes: "000102ff" });
    expect(seen.triggerMetadata).toMatchObject({ key: "b", topic: "binary-stream", offset: 0 });
  });
});
