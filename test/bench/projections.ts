/**
 * Projection lag: how long after an event is appended to the event store the read models show it, at 100 purchases
 * per second. The bench appends the events of purchases itself (per purchase: PurchasePlaced, the concert's
 * TicketsReserved on one hot concert stream, PurchaseCompleted), each commit with its outbox relayed to the `events`
 * topic as the handlers do, on a fixed schedule (open loop: a slow consumer does not slow the producer down). The
 * purchase process is disabled (AzureWebJobs.purchase-process.Disabled), so nothing but these events reaches the
 * consumers. Lag = the read model row's Table Storage Timestamp (the service's commit time) minus the moment the
 * append returned; the concert's availability row, rewritten by every reservation, is polled instead.
 * Baseline, same run, same events: the e-mail service's lag (it consumes PurchaseCompleted through the same host and
 * writes one Table transaction): what any consumer of the bus pays.
 */
import { randomUUID } from "node:crypto";
import type { TableClient } from "@azure/data-tables";
import { createMessage, type MessageData, type MessageName } from "../../src/events/catalog.js";
import { TableEventStore } from "../../src/eventstore/table-event-store.js";
import { createServiceBusClient, ServiceBusMessageBus } from "../../src/messaging/service-bus-message-bus.js";
import { OutboxRelay } from "../../src/outbox/outbox-relay.js";
import { startSystemUnderTest, until } from "../system/system-under-test.js";
import { type BenchRow, type BenchSuite, percentile } from "./harness.js";

const suite = "projections";
const RATE = 100;
const SECONDS = 10;
const PURCHASES = RATE * SECONDS;
const WARM_UP = 30;
const CONCERT = "bench-lag-hall";

type Row = Record<string, unknown> & { partitionKey?: string; rowKey?: string; timestamp?: string };

async function rows(table: TableClient, filter?: string): Promise<Row[]> {
  const out: Row[] = [];
  for await (const e of table.listEntities<Row>(filter ? { queryOptions: { filter } } : {})) out.push(e);
  return out;
}

const round = (n: number) => Math.round(n * 10) / 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const projectionsSuite: BenchSuite = {
  name: suite,
  async run(): Promise<BenchRow[]> {
    const sut = await startSystemUnderTest({ settings: { "AzureWebJobs.purchase-process.Disabled": "true" } });
    const serviceBusClient = createServiceBusClient({ kind: "connectionString", connectionString: sut.system.appSettings.ServiceBusConnection });
    const store = new TableEventStore(sut.table("events"));
    const relay = new OutboxRelay({ store, serviceBus: new ServiceBusMessageBus(serviceBusClient) });
    /** Commits one event with its outbox record; `relayed` publishes it (the handlers do both in a row). */
    const commit = async <N extends MessageName>(streamId: string, version: number, name: N, data: MessageData<N>) => {
      const event = createMessage(name, data, { correlationId: `bench-${streamId}`, id: `${streamId}:${version}`, subject: streamId });
      const result = await store.commit({ streamId, expectedVersion: version - 1, events: [event], outbox: [{ message: event, channel: "events", partitionKey: streamId }] });
      return { appendedAt: Date.now(), relayed: () => relay.deliver(result.outbox) };
    };
    const append = async <N extends MessageName>(streamId: string, version: number, name: N, data: MessageData<N>): Promise<number> => {
      const { appendedAt, relayed } = await commit(streamId, version, name, data);
      await relayed();
      return appendedAt;
    };
    try {
      const capacity = { standard: 1_000_000, vip: 0 };
      await append(`concert-${CONCERT}`, 1, "ConcertScheduled", { concertId: CONCERT, name: "Bench", venue: "Hall", startsAt: "2026-07-01T20:00:00Z", capacity, prices: { standard: 5_000, vip: 20_000 } });
      // The concert's stream has one writer at a time here, as the concerts handler would after its retries.
      let concertVersion = 1;
      let concertTail: Promise<unknown> = Promise.resolve();
      const reservedAt = new Map<number, number>();
      const completedAt = new Map<string, number>();
      const purchase = async (i: number) => {
        const purchaseId = randomUUID();
        const fan = { id: `fan-${i % 50}`, email: `fan${i % 50}@example.com` };
        const at = new Date().toISOString();
        await append(`purchase-${purchaseId}`, 1, "PurchasePlaced", { purchaseId, concertId: CONCERT, fan, tier: "standard", quantity: 1, unitPriceCents: 5_000, totalCents: 5_000, placedAt: at });
        // Only the commits of the concert's stream wait for each other; each is published on its own.
        const reserve = concertTail.then(async () => {
          const version = ++concertVersion;
          const committed = await commit(`concert-${CONCERT}`, version, "TicketsReserved", { concertId: CONCERT, purchaseId, tier: "standard", quantity: 1, reservedAt: at });
          reservedAt.set(version, committed.appendedAt);
          return committed;
        });
        concertTail = reserve;
        await (await reserve).relayed();
        const t = await append(`purchase-${purchaseId}`, 2, "PurchaseCompleted", { purchaseId, concertId: CONCERT, fan, tier: "standard", quantity: 1, ticketIds: [`${purchaseId}-1`], totalCents: 5_000, paymentId: `pay-${purchaseId}`, completedAt: at });
        completedAt.set(purchaseId, t);
      };
      // Warm up (the worker loads the SDKs, opens the links, creates the tables), then forget those purchases.
      await Promise.all(Array.from({ length: WARM_UP }, (_, i) => purchase(-1 - i)));
      await until(async () => (await rows(sut.table("concertsales"))).length, (n) => n > WARM_UP, 60_000);
      const warm = new Set(completedAt.keys());
      const warmConcertVersion = concertVersion;

      // The concert's availability row, read every 25 ms: when each version first showed.
      const shown = new Map<number, number>();
      let polling = true;
      const poller = (async () => {
        while (polling) {
          const row = await sut.table("concertavailability").getEntity<Row>(CONCERT, "availability").catch(() => undefined);
          const now = Date.now();
          for (let v = Number(row?.version ?? 0); v > warmConcertVersion && !shown.has(v); v--) shown.set(v, now);
          await sleep(25);
        }
      })();

      const started = Date.now();
      const running: Promise<void>[] = [];
      for (let i = 0; i < PURCHASES; i++) {
        const due = started + (i * 1000) / RATE;
        if (due > Date.now()) await sleep(due - Date.now());
        running.push(purchase(i));
      }
      await Promise.all(running);
      const producedSeconds = (Date.now() - started) / 1000;
      const expected = PURCHASES + WARM_UP;
      await until(async () => Number((await sut.table("concertsales").getEntity<Row>(CONCERT, "totals")).version), (n) => n >= expected, 120_000);
      await until(async () => (await rows(sut.table("mails"))).filter((m) => String(m.rowKey).startsWith("mail:")).length, (n) => n >= expected, 120_000);
      await until(async () => shown.has(concertVersion), (done) => done, 60_000);
      polling = false;
      await poller;

      const lagsOf = (found: Row[], idOf: (row: Row) => string) =>
        found
          .filter((r) => completedAt.has(idOf(r)) && !warm.has(idOf(r)))
          .map((r) => Date.parse(String(r.timestamp)) - completedAt.get(idOf(r))!)
          .sort((a, b) => a - b);
      const status = lagsOf((await rows(sut.table("purchasestatus"))).filter((r) => r.version === 2), (r) => String(r.purchaseId));
      const fans = lagsOf((await rows(sut.table("fanpurchases"))).filter((r) => r.version === 2), (r) => String(r.purchaseId));
      const sales = lagsOf((await rows(sut.table("concertsales"))).filter((r) => String(r.rowKey).startsWith("purchase:")), (r) => String(r.purchaseId));
      const mails = lagsOf((await rows(sut.table("mails"))).filter((r) => String(r.rowKey).startsWith("mail:")), (r) => String(r.purchaseId));
      const availability = [...reservedAt].filter(([v]) => v > warmConcertVersion && shown.has(v)).map(([v, t]) => shown.get(v)! - t).sort((a, b) => a - b);

      const invocations = sut.invocations.filter((r) => r.functionName === "projections");
      const durations = invocations.map((r) => r.durationMs).sort((a, b) => a - b);
      const failed = invocations.filter((r) => r.outcome === "failed").length;
      // The schedule asks for RATE purchases/s; a machine too busy to append that fast shows here.
      const at = `${round(PURCHASES / producedSeconds)} of ${RATE} purchases/s appended, ${PURCHASES} purchases`;
      const mail = (p: number) => ({ name: `e-mail consumer, same PurchaseCompleted events, p${p}`, value: round(percentile(mails, p)) });
      const lagRows = (name: string, lags: number[]): BenchRow[] => [
        { suite, name: `${name} lag p50 (${at}; ${lags.length} samples)`, value: round(percentile(lags, 50)), unit: "ms", baseline: mail(50) },
        { suite, name: `${name} lag p99 (${at})`, value: round(percentile(lags, 99)), unit: "ms", baseline: mail(99) },
      ];
      return [
        ...lagRows("PurchaseCompleted -> purchasestatus", status),
        ...lagRows("PurchaseCompleted -> fanpurchases", fans),
        ...lagRows("PurchaseCompleted -> concertsales", sales),
        { suite, name: `TicketsReserved -> concertavailability (one hot row; polled every 25 ms) lag p50 (${at})`, value: round(percentile(availability, 50)), unit: "ms" },
        { suite, name: `TicketsReserved -> concertavailability lag p99 (${at})`, value: round(percentile(availability, 99)), unit: "ms" },
        { suite, name: `projections invocation p50 (${durations.length} invocations, ${failed} failed)`, value: round(percentile(durations, 50)), unit: "ms" },
        { suite, name: "projections invocation p99", value: round(percentile(durations, 99)), unit: "ms" },
        { suite, name: `read model rows complete (${PURCHASES} purchases)`, value: Math.min(status.length, fans.length, sales.length), unit: "purchases", target: `= ${PURCHASES}`, pass: Math.min(status.length, fans.length, sales.length) === PURCHASES },
      ];
    } finally {
      await serviceBusClient.close();
      await sut.close();
    }
  },
};
