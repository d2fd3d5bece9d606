/**
 * The analytics consumer as a Functions kafkaTrigger under the local host (consumer group `analytics`, batches):
 * real purchases through the whole system reach the sales-per-minute read model over the relay's Kafka mirror, and
 * records produced straight to the event hub with kafkajs, a duplicate among them, are counted once.
 */
import { TableClient } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ANALYTICS_GROUP } from "../../src/analytics/analytics-consumer.js";
import { waitUntilCaughtUp } from "../../src/analytics/group-lag.js";
import { minuteOf } from "../../src/analytics/sales-per-minute.js";
import { readConcertMinutes, SALES_PER_MINUTE_TABLE } from "../../src/analytics/sales-per-minute-writer.js";
import { eventHubsConnection, topology } from "../../src/config.js";
import { TableEventStore } from "../../src/eventstore/table-event-store.js";
import { createKafka, KafkaEventStream } from "../../src/messaging/kafka-event-stream.js";
import { TableRowStore } from "../../src/projections/table-row-store.js";
import { completed, outcomes, placed } from "../unit/analytics/sales-fixtures.js";
import { fan, TicketingClient } from "./purchase-client.js";
import { type SystemUnderTest, startSystemUnderTest, until } from "./system-under-test.js";

let sut: SystemUnderTest;
let api: TicketingClient;
let sales: TableRowStore;
let store: TableEventStore;

beforeAll(async () => {
  sut = await startSystemUnderTest();
  api = new TicketingClient(sut);
  store = new TableEventStore(sut.table(topology.tables.events));
  sales = new TableRowStore(TableClient.fromConnectionString(sut.system.azurite.connectionString, SALES_PER_MINUTE_TABLE, { allowInsecureConnection: true }));
}, 60_000);
afterAll(() => sut?.close());

const minutesOf = (concertId: string) => readConcertMinutes(sales, concertId).catch(() => []);

describe("the analytics kafkaTrigger function", () => {
  it("counts purchases completed through the system, per tier, in the minute they completed", async () => {
    const concert = await api.scheduleConcert({ prices: { standard: 4_000, vip: 12_000 } });
    const [vip, standard] = await Promise.all([
      api.placePurchase({ concertId: concert.concertId, fan: fan(), tier: "vip", quantity: 2 }),
      api.placePurchase({ concertId: concert.concertId, fan: fan(), tier: "standard", quantity: 3 }),
    ]);
    const done = await Promise.all([api.outcome(vip.body.purchaseId), api.outcome(standard.body.purchaseId)]);
    expect(done.map((d) => d.status)).toEqual(["completed", "completed"]);

    const minutes = await until(() => minutesOf(concert.concertId), (m) => m.reduce((n, r) => n + r.completedPurchases, 0) === 2, 20_000);
    const sum = (k: "vipTickets" | "vipRevenueCents" | "standardTickets" | "standardRevenueCents") => minutes.reduce((n, m) => n + m[k], 0);
    expect([sum("vipTickets"), sum("vipRevenueCents"), sum("standardTickets"), sum("standardRevenueCents")]).toEqual([2, 24_000, 3, 12_000]);
    // Each purchase in the minute its PurchaseCompleted says it completed.
    const completions = await Promise.all(done.map(async (d) => (await store.readStream(`purchase-${d.purchaseId}`)).events.map((e) => e.event).find((e) => e.type.includes("PurchaseCompleted"))!));
    const byMinute = new Map<string, number>();
    for (const e of completions) {
      const minute = minuteOf((e.data as { completedAt: string }).completedAt);
      byMinute.set(minute, (byMinute.get(minute) ?? 0) + 1);
    }
    expect(new Map(minutes.map((m) => [m.minute, m.completedPurchases]))).toEqual(byMinute);
    const run = sut.invocations.filter((r) => r.functionName === "analytics");
    expect(run.length).toBeGreaterThan(0);
    expect(run.filter((r) => r.outcome === "failed")).toEqual([]);
  }, 60_000);

  it("counts records produced to the event hub with kafkajs once, a redelivered one included", async () => {
    const kafka = createKafka(eventHubsConnection(sut.system.appSettings)!, "analytics-function-test");
    const stream = new KafkaEventStream(kafka);
    const list = outcomes(12, "direct").map((o) => ({ ...o, concertId: "concert-direct" }));
    await stream.publish(list.flatMap((o) => [placed(o), completed(o)]).map((e) => ({ key: e.subject!, event: e })));
    await stream.publish([{ key: `purchase-${list[0].purchaseId}`, event: completed(list[0]) }]);
    await stream.close();
    const expected = list.reduce((t, o) => ({ tickets: t.tickets + o.quantity, cents: t.cents + o.totalCents }), { tickets: 0, cents: 0 });
    // The function's group has handled everything produced so far, the redelivered record included.
    const admin = kafka.admin();
    await admin.connect();
    await waitUntilCaughtUp(admin, ANALYTICS_GROUP, topology.eventHub, 20_000).finally(() => admin.disconnect());
    const minutes = await minutesOf("concert-direct");
    const totals = minutes.reduce((t, m) => ({ tickets: t.tickets + m.tickets, cents: t.cents + m.revenueCents }), { tickets: 0, cents: 0 });
    expect(minutes.reduce((n, m) => n + m.completedPurchases, 0)).toBe(12);
    expect(minutes.length).toBeGreaterThan(1);
    expect(totals).toEqual(expected);
  }, 60_000);
});
