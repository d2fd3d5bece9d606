/**
 * The query side end to end under the local host: the GET endpoints answer from the read models that the
 * projections consumer keeps from the events topic, and a client reads its own writes with minVersion.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runRebuild } from "../../src/projections/rebuild-run.js";
import { fan, type Json, TicketingClient } from "./purchase-client.js";
import { type SystemUnderTest, startSystemUnderTest, until } from "./system-under-test.js";
import { FUTURE_START } from "../helpers/future-start.js";

let sut: SystemUnderTest;
let api: TicketingClient;
beforeAll(async () => {
  sut = await startSystemUnderTest();
  api = new TicketingClient(sut);
}, 60_000);
afterAll(() => sut?.close());

/** Buys and waits for the outcome through the read model itself (minVersion 2 = completed or cancelled). */
async function buy(concertId: string, buyer: Json, tier: string, quantity: number): Promise<Json> {
  const placed = await api.placePurchase({ concertId, fan: buyer, tier, quantity });
  expect(placed.status).toBe(202);
  const { purchaseId } = placed.body;
  const outcome = await until(() => api.request("GET", `/api/purchases/${purchaseId}?minVersion=2`), (r) => r.status === 200 && r.headers.get("x-read-model-stale") === null, 30_000);
  return outcome.body;
}

describe("read models (CQRS query side)", () => {
  it("reads its own writes: the 202 names the version, GET with minVersion waits for it", async () => {
    const concert = { concertId: `rw-${Date.now().toString(36)}`, name: "Read Your Writes", venue: "Hall", startsAt: FUTURE_START, capacity: { standard: 20, vip: 5 }, prices: { standard: 4_000, vip: 9_000 } };
    const scheduled = await api.request("POST", "/api/concerts", concert);
    expect(scheduled).toMatchObject({ status: 202, body: { version: 1 } });
    // Right after the 202, without polling: the endpoint waits until the read model has the concert.
    const shown = await api.request("GET", `/api/concerts/${concert.concertId}?minVersion=${scheduled.body.version}`);
    expect(shown.status).toBe(200);
    expect(shown.headers.get("x-read-model-stale")).toBeNull();
    expect(shown.body).toMatchObject({ concertId: concert.concertId, ticketsLeft: { standard: 20, vip: 5 }, version: 1 });
    expect(shown.headers.get("etag")).toBe('"1"');

    const buyer = fan();
    const placed = await api.placePurchase({ concertId: concert.concertId, fan: buyer, tier: "vip", quantity: 2 });
    expect(placed).toMatchObject({ status: 202, body: { status: "pending", version: 1 } });
    const mine = await api.request("GET", `/api/purchases/${placed.body.purchaseId}`, undefined, { "x-min-version": String(placed.body.version) });
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({ purchaseId: placed.body.purchaseId, fan: buyer, tier: "vip", quantity: 2, totalCents: 18_000 });
    expect(mine.body.version).toBeGreaterThanOrEqual(1);

    // Version 2 is the outcome; the ETag then stays until the purchase changes (it will not: completed is final).
    const done = await until(() => api.request("GET", `/api/purchases/${placed.body.purchaseId}?minVersion=2`), (r) => r.headers.get("x-read-model-stale") === null, 30_000);
    expect(done.body).toMatchObject({ status: "completed", version: 2 });
    expect(done.body.ticketIds).toHaveLength(2);
    const unchanged = await fetch(`${sut.url}/api/purchases/${placed.body.purchaseId}`, { headers: { "if-none-match": done.headers.get("etag")! } });
    expect(unchanged.status).toBe(304);

    // A version the read model never reaches: after the bounded wait, what it has, marked stale.
    const started = Date.now();
    const tooNew = await api.request("GET", `/api/purchases/${placed.body.purchaseId}?minVersion=3`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_500);
    expect(tooNew.status).toBe(200);
    expect(tooNew.headers.get("x-read-model-stale")).toBe("true");
    expect(tooNew.headers.get("retry-after")).toBe("1");
    expect(tooNew.body).toMatchObject({ status: "completed", version: 2 });
    expect((await api.request("GET", `/api/purchases/${placed.body.purchaseId}?minVersion=two`)).status).toBe(400);
  });

  it("shows availability dropping with completed purchases and coming back after a cancellation", async () => {
    // A VIP pair costs 2 x 60,000 cents, over the simulated gateway's 100,000 limit: declined, the tickets released.
    const concert = await api.scheduleConcert({ capacity: { standard: 10, vip: 4 }, prices: { standard: 5_000, vip: 60_000 } });
    const buyer = fan();
    expect(await buy(concert.concertId, buyer, "standard", 3)).toMatchObject({ status: "completed" });
    expect(await buy(concert.concertId, buyer, "standard", 2)).toMatchObject({ status: "completed" });
    const afterSales = await until(() => api.concert(concert.concertId), (c) => c.body.ticketsLeft?.standard === 5);
    expect(afterSales.body).toMatchObject({ ticketsLeft: { standard: 5, vip: 4 }, version: 3 });

    const declined = await buy(concert.concertId, buyer, "vip", 2);
    expect(declined).toMatchObject({ status: "cancelled", reason: "payment-declined" });
    // Reserved (version 4), then released (version 5): the two VIP tickets are back.
    const back = await api.request("GET", `/api/concerts/${concert.concertId}?minVersion=5`);
    expect(back.headers.get("x-read-model-stale")).toBeNull();
    expect(back.body).toMatchObject({ ticketsLeft: { standard: 5, vip: 4 }, version: 5 });

    // The fan's purchases (newest first) and the concert's sales, which count only completed purchases.
    const mine = await until(() => api.request("GET", `/api/fans/${buyer.id}/purchases`), (r) => r.body.purchases?.length === 3 && r.body.purchases.every((p: Json) => p.status !== "pending"));
    expect(mine.body.purchases.map((p: Json) => [p.status, p.tier, p.quantity])).toEqual(
      expect.arrayContaining([["completed", "standard", 3], ["completed", "standard", 2], ["cancelled", "vip", 2]]),
    );
    expect(mine.body.version).toBe(6);
    const sales = await until(() => api.request("GET", `/api/concerts/${concert.concertId}/sales`), (r) => r.body.purchases === 2);
    expect(sales.body).toEqual({
      concertId: concert.concertId,
      tiers: { standard: { ticketsSold: 5, revenueCents: 25_000 }, vip: { ticketsSold: 0, revenueCents: 0 } },
      ticketsSold: 5,
      revenueCents: 25_000,
      purchases: 2,
      version: 2,
    });
    expect((await api.request("GET", "/api/concerts/no-such-concert/sales")).status).toBe(404);
    expect((await api.request("GET", `/api/fans/nobody-${Date.now()}/purchases`)).body).toMatchObject({ purchases: [], version: 0 });
  });

  it("rebuilds every read model from the event store equal to the live one, and repairs a damaged one", async () => {
    const table = (name: string) => sut.table(name);
    // The live consumer may still be finishing the last events: the rebuild is compared until both agree.
    const reports = await until(() => runRebuild({ table, eventsTable: "events" }), (r) => r.every((x) => x.comparison.equal), 20_000);
    expect(reports.map((r) => r.readModel)).toEqual(["purchase-status", "fan-purchases", "concert-availability", "concert-sales"]);
    for (const r of reports) {
      expect(r.rebuild.rows).toBeGreaterThan(0);
      expect(r.comparison).toMatchObject({ equal: true, differences: [] });
    }

    const live = sut.table("concertavailability");
    const [row] = await until(async () => { const rows: Json[] = []; for await (const e of live.listEntities()) rows.push(e); return rows; }, (rows) => rows.length > 0);
    await live.deleteEntity(row.partitionKey, row.rowKey);
    const [repair] = await runRebuild({ table, eventsTable: "events", names: ["concert-availability"], swap: true });
    expect(repair.comparison.differences).toEqual([expect.objectContaining({ kind: "missing", partitionKey: row.partitionKey })]);
    expect(repair.swap).toEqual({ written: 1, deleted: 0, keptNewer: 0, raced: 0 });
    const [after] = await runRebuild({ table, eventsTable: "events", names: ["concert-availability"] });
    expect(after.comparison.equal).toBe(true);
  });
});
