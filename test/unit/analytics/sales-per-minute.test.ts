import { describe, expect, it } from "vitest";
import { InvalidMessageError } from "../../../src/events/catalog.js";
import { InMemoryRowStore } from "../../../src/projections/row-store.js";
import { compareReadModels } from "../../../src/analytics/compare-sales.js";
import { salesEventOf } from "../../../src/analytics/sales-events.js";
import { emptyConcert, foldConcertSales, minuteOf, type SalesEvent } from "../../../src/analytics/sales-per-minute.js";
import { readAllMinutes, readConcertMinutes, SalesPerMinuteWriter } from "../../../src/analytics/sales-per-minute-writer.js";
import { cancelled, completed, outcomes, placed } from "./sales-fixtures.js";

const sale = (m: Parameters<typeof completed>[0]) => salesEventOf(JSON.stringify(completed(m)))!;
const base = { concertId: "c1", tier: "vip" as const, quantity: 2, totalCents: 50_000 };

describe("sales per minute (pure fold)", () => {
  it("adds a completed purchase to its tier in the minute it completed", () => {
    const r = foldConcertSales(emptyConcert("c1"), [sale({ ...base, purchaseId: "a", at: "2026-07-01T20:15:42.120Z" }), sale({ ...base, purchaseId: "b", tier: "standard", quantity: 1, totalCents: 8000, at: "2026-07-01T20:15:59Z" })]);
    expect(r.counted).toBe(2);
    expect(r.state.minutes.get("2026-07-01T20:15")).toMatchObject({ vipTickets: 2, vipRevenueCents: 50_000, standardTickets: 1, standardRevenueCents: 8000, tickets: 3, revenueCents: 58_000, completedPurchases: 2 });
  });

  it("counts an event once however often it is delivered", () => {
    const e = sale({ ...base, purchaseId: "a", at: "2026-07-01T20:15:00Z" });
    const once = foldConcertSales(emptyConcert("c1"), [e]);
    const again = foldConcertSales(once.state, [e, e]);
    expect(again.duplicates).toBe(2);
    expect(again.changedMinutes.size).toBe(0);
    expect(again.state.minutes.get("2026-07-01T20:15")?.tickets).toBe(2);
  });

  it("subtracts a cancelled completed purchase in the minute of the cancellation, once", () => {
    const done = foldConcertSales(emptyConcert("c1"), [sale({ ...base, purchaseId: "a", at: "2026-07-01T20:15:00Z" })]);
    const cancel = salesEventOf(cancelled({ concertId: "c1", purchaseId: "a", tier: "vip", quantity: 2, at: "2026-07-01T20:17:30Z" }))!;
    const r = foldConcertSales(done.state, [cancel, cancel]);
    expect(r).toMatchObject({ counted: 1, duplicates: 1 });
    expect(r.state.minutes.get("2026-07-01T20:15")?.vipTickets).toBe(2);
    expect(r.state.minutes.get("2026-07-01T20:17")).toMatchObject({ vipTickets: -2, vipRevenueCents: -50_000, tickets: -2, revenueCents: -50_000, cancelledPurchases: 1 });
  });

  it("ignores the cancellation of a purchase that never completed", () => {
    const r = foldConcertSales(emptyConcert("c1"), [salesEventOf(cancelled({ concertId: "c1", purchaseId: "x", tier: "standard", quantity: 1, at: "2026-07-01T20:00:00Z" }))!]);
    expect(r).toMatchObject({ counted: 0, ignored: 1 });
    expect(r.state.minutes.size).toBe(0);
  });

  it("takes minutes in UTC whatever the offset", () => {
    expect(minuteOf("2026-07-01T22:15:42+02:00")).toBe("2026-07-01T20:15");
  });
});

describe("reading the stream's records", () => {
  it("passes over the stream's other events and refuses what is not a CloudEvent of the catalog", () => {
    const o = outcomes(1)[0];
    expect(salesEventOf(Buffer.from(JSON.stringify(placed(o))))).toBeUndefined();
    expect(salesEventOf(Buffer.from(JSON.stringify(completed(o))))).toMatchObject({ kind: "completed", eventId: `purchase-${o.purchaseId}:3`, totalCents: o.totalCents });
    expect(() => salesEventOf(Buffer.from("not json"))).toThrow(InvalidMessageError);
    expect(() => salesEventOf(Buffer.from(JSON.stringify({ ...completed(o), data: { purchaseId: 1 } })))).toThrow(InvalidMessageError);
  });
});

describe("the read model's writer", () => {
  const events = (n: number): SalesEvent[] => outcomes(n).map((o) => salesEventOf(completed(o))!);

  it("gives the same minutes for one pass and for redelivered, overlapping batches", async () => {
    const all = events(120);
    const live = new SalesPerMinuteWriter(new InMemoryRowStore("live"));
    for (let i = 0; i < all.length; i += 7) await live.apply(all.slice(Math.max(0, i - 3), i + 7)); // every batch re-sends the 3 before it
    const replay = new SalesPerMinuteWriter(new InMemoryRowStore("replay"));
    const stats = await replay.apply(all);
    expect(stats).toMatchObject({ counted: 120, duplicates: 0 });
    expect(await compareReadModels(live.rows, replay.rows)).toMatchObject({ equal: true, differences: [] });
    const minutes = await readAllMinutes(replay.rows);
    expect(minutes.reduce((n, m) => n + m.revenueCents, 0)).toBe(outcomes(120).reduce((n, o) => n + o.totalCents, 0));
  });

  it("counts each event once when writers race on the same concert", async () => {
    const rows = new InMemoryRowStore();
    const all = events(60).filter((e) => e.concertId === "concert-0");
    const writers = [new SalesPerMinuteWriter(rows), new SalesPerMinuteWriter(rows), new SalesPerMinuteWriter(rows)];
    const results = await Promise.all(writers.map((w) => w.apply(all)));
    expect(results.reduce((n, r) => n + r.counted, 0)).toBe(all.length);
    const minutes = await readConcertMinutes(rows, "concert-0");
    expect(minutes.reduce((n, m) => n + m.completedPurchases, 0)).toBe(all.length);
  });

  it("reports a minute that differs between two read models", async () => {
    const a = new SalesPerMinuteWriter(new InMemoryRowStore("a"));
    const b = new SalesPerMinuteWriter(new InMemoryRowStore("b"));
    const all = events(10);
    await a.apply(all);
    await b.apply(all.slice(1));
    const c = await compareReadModels(a.rows, b.rows);
    expect(c.equal).toBe(false);
    expect(c.differences).toHaveLength(1);
    expect(c.differences[0]).toMatchObject({ concertId: all[0].concertId, minute: minuteOf(all[0].at) });
  });
});
