/**
 * The analytics consumer against the emulator's Kafka endpoint (kafkajs, SASL PLAIN `$ConnectionString`) and
 * Azurite: events produced by the relay's own producer in the catalog's format, key = stream id.
 */
import { TableClient } from "@azure/data-tables";
import type { Kafka } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../emulator/index.js";
import { appTopology } from "../../topology/files.js";
import { AnalyticsConsumer, type StartPosition } from "../../src/analytics/analytics-consumer.js";
import { replaySales } from "../../src/analytics/replay.js";
import { readAllMinutes, SalesPerMinuteWriter } from "../../src/analytics/sales-per-minute-writer.js";
import { eventHubsConnection } from "../../src/config.js";
import type { CloudEvent } from "../../src/events/envelope.js";
import { createKafka, KafkaEventStream } from "../../src/messaging/kafka-event-stream.js";
import { TableRowStore } from "../../src/projections/table-row-store.js";
import { type AzuriteInstance, startAzurite } from "../helpers/azurite.js";
import { cancelled, completed, type Outcome, outcomes, placed } from "../unit/analytics/sales-fixtures.js";

let azurite: AzuriteInstance;
let emulator: Emulator;
let kafka: Kafka;
let stream: KafkaEventStream;
const consumers: AnalyticsConsumer[] = [];
let tables = 0;

beforeAll(async () => {
  [azurite, emulator] = await Promise.all([startAzurite(), startEmulator({ ...appTopology, servicebusPort: 0, httpPort: 0, kafkaPort: 0 })]);
  kafka = createKafka(eventHubsConnection({ EventHubsConnection: emulator.kafka.connectionString })!, "analytics-test");
  stream = new KafkaEventStream(kafka);
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(consumers.map((c) => c.stop()));
  await stream?.close();
  await emulator?.close();
  await azurite?.close();
});

const freshTable = () => new TableRowStore(TableClient.fromConnectionString(azurite.connectionString, `sales${++tables}t${Date.now()}`, { allowInsecureConnection: true }));

function consumer(table: TableRowStore, groupId: string, startPosition: StartPosition): AnalyticsConsumer {
  const c = new AnalyticsConsumer({ kafka, writer: new SalesPerMinuteWriter(table), groupId, startPosition, maxWaitTimeInMs: 100 });
  consumers.push(c);
  return c;
}

const keyed = (e: CloudEvent) => ({ key: e.subject!, event: e });

/** Each purchase's placed + completed events; every fifth also cancelled afterwards. */
async function produce(list: Outcome[]): Promise<void> {
  await stream.publish(
    list.flatMap((o, i) => {
      const events: CloudEvent[] = [placed(o), completed(o)];
      if (i % 5 === 0) events.push(cancelled({ ...o, at: new Date(Date.parse(o.at) + 90_000).toISOString() }));
      return events.map(keyed);
    }),
  );
}

/** What the minutes must add up to: completed totals minus the cancelled ones. */
function expectedTotals(list: Outcome[]) {
  return list.reduce((t, o, i) => ({ tickets: t.tickets + (i % 5 === 0 ? 0 : o.quantity), revenueCents: t.revenueCents + (i % 5 === 0 ? 0 : o.totalCents), completed: t.completed + 1, cancelled: t.cancelled + (i % 5 === 0 ? 1 : 0) }), { tickets: 0, revenueCents: 0, completed: 0, cancelled: 0 });
}

async function totals(table: TableRowStore) {
  const minutes = await readAllMinutes(table);
  return minutes.reduce((t, m) => ({ tickets: t.tickets + m.tickets, revenueCents: t.revenueCents + m.revenueCents, completed: t.completed + m.completedPurchases, cancelled: t.cancelled + m.cancelledPurchases }), { tickets: 0, revenueCents: 0, completed: 0, cancelled: 0 });
}

describe("analytics on festival-events", () => {
  const first = outcomes(40, "first");
  const second = outcomes(25, "second", Date.parse("2026-07-01T21:00:00Z"));

  it("the live consumer group and a replay from the beginning into a fresh table give identical minutes", async () => {
    const live = freshTable();
    const liveConsumer = consumer(live, "analytics", "committed");
    await liveConsumer.start();
    await produce(first);
    // At least once: a retried publish writes some records twice.
    await stream.publish(first.slice(0, 6).map((o) => keyed(completed(o))));
    await liveConsumer.waitUntilCaughtUp();
    expect(await totals(live)).toEqual(expectedTotals(first));
    expect(liveConsumer.stats).toMatchObject({ counted: 40 + 8, duplicates: 6, invalid: 0 });

    const replayTable = freshTable();
    const replay = await replaySales({ kafka, live, replay: replayTable, groupId: "analytics-replay-test-1", timeoutMs: 30_000 });
    expect(replay.comparison).toMatchObject({ equal: true, differences: [] });
    expect(replay.comparison.liveMinutes).toBeGreaterThan(10);
    expect(replay.stats.records).toBe(40 * 2 + 8 + 6);
    // The replay's own group left the live group's offsets alone.
    const admin = kafka.admin();
    await admin.connect();
    const [liveOffsets] = await admin.fetchOffsets({ groupId: "analytics", topics: ["festival-events"] });
    await admin.disconnect();
    expect(liveOffsets.partitions.reduce((n, p) => n + Number(p.offset), 0)).toBe(replay.stats.records);
    await liveConsumer.stop();
  }, 60_000);

  it("latest counts only the events produced after it started", async () => {
    const table = freshTable();
    const latest = consumer(table, "analytics-latest", "latest");
    await latest.start();
    await produce(second);
    await latest.waitUntilCaughtUp();
    expect(await totals(table)).toEqual(expectedTotals(second));
    expect(latest.stats.records).toBe(25 * 2 + 5);
    await latest.stop();
  }, 60_000);

  it("committed resumes where the group stopped, without counting anything twice; earliest reads it all again", async () => {
    const table = freshTable();
    const before = consumer(table, "analytics-committed", "committed");
    await before.start();
    await before.waitUntilCaughtUp();
    const seen = before.stats.records;
    expect(seen).toBe(40 * 2 + 8 + 6 + 25 * 2 + 5); // never committed: from the beginning
    await before.stop();

    const third = outcomes(15, "third", Date.parse("2026-07-01T22:00:00Z"));
    await produce(third);
    const after = consumer(table, "analytics-committed", "committed");
    await after.start();
    await after.waitUntilCaughtUp();
    expect(after.stats).toMatchObject({ records: 15 * 2 + 3, duplicates: 0, counted: 15 + 3 });
    expect(await totals(table)).toEqual(sum(expectedTotals(first), expectedTotals(second), expectedTotals(third)));
    await after.stop();

    const again = consumer(table, "analytics-committed", "earliest");
    await again.start();
    await again.waitUntilCaughtUp();
    expect(again.stats).toMatchObject({ records: seen + 15 * 2 + 3, counted: 0 });
    expect(await totals(table)).toEqual(sum(expectedTotals(first), expectedTotals(second), expectedTotals(third)));
    await again.stop();
  }, 90_000);
});

function sum(...all: ReturnType<typeof expectedTotals>[]) {
  return all.reduce((a, b) => ({ tickets: a.tickets + b.tickets, revenueCents: a.revenueCents + b.revenueCents, completed: a.completed + b.completed, cancelled: a.cancelled + b.cancelled }));
}
