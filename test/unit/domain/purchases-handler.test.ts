import { describe, expect, it } from "vitest";
import { handleConcertCommand } from "../../../src/commands/concerts-handler.js";
import { concertAvailability, ensureTicketsLeft, purchaseStatus } from "../../../src/commands/purchase-queries.js";
import { handlePurchaseCommand } from "../../../src/commands/purchases-handler.js";
import { type DomainError, httpStatusOf } from "../../../src/domain/errors.js";
import { createMessage } from "../../../src/events/catalog.js";
import { envelope } from "../../../src/events/envelope.js";
import type { OutboxRecord } from "../../../src/eventstore/event-store.js";
import { InMemoryEventStore } from "../../../src/eventstore/in-memory-event-store.js";

const placedAt = new Date("2026-06-01T18:00:00.000Z");
const fan = { id: "fan-1", email: "ada@example.com" };
const schedule = createMessage(
  "ScheduleConcert",
  { concertId: "c1", name: "Night Owls", venue: "Main Stage", startsAt: "2026-07-01T20:00:00.000Z", capacity: { standard: 5, vip: 2 }, prices: { standard: 5000, vip: 15000 } },
  { id: "cmd-schedule", correlationId: "corr-s" },
);
const place = (purchaseId = "p1", concertId = "c1") =>
  createMessage("PlacePurchase", { purchaseId, concertId, fan, tier: "vip", quantity: 2 }, { id: `cmd-place-${purchaseId}`, correlationId: `corr-${purchaseId}` });
const complete = createMessage("CompletePurchase", { purchaseId: "p1", ticketIds: ["t1", "t2"], paymentId: "pay-1" }, { id: "cmd-complete", correlationId: "corr-p1" });
const cancel = (id = "cmd-cancel") => createMessage("CancelPurchase", { purchaseId: "p1", reason: "tickets-unavailable", detail: "no seats", refunded: true }, { id, correlationId: "corr-p1" });

class CollectingRelay {
  readonly records: OutboxRecord[] = [];
  async deliver(records: readonly OutboxRecord[]): Promise<void> {
    this.records.push(...records);
  }
}

async function setUp() {
  const store = new InMemoryEventStore(() => placedAt);
  const relay = new CollectingRelay();
  const deps = { store, relay, now: () => placedAt };
  await handleConcertCommand(schedule, deps);
  relay.records.length = 0;
  return { store, relay, deps, send: (m: object) => handlePurchaseCommand(JSON.stringify(m), deps) };
}

describe("purchases command handler", () => {
  it("places the purchase (PurchasePlaced v2, priced from the concert) and publishes it in the purchase's session", async () => {
    const { store, relay, send } = await setUp();
    expect(await send(place())).toMatchObject({ status: "handled", command: "PlacePurchase", version: 1 });
    expect(relay.records).toHaveLength(1);
    expect(relay.records[0]).toMatchObject({ channel: "events", partitionKey: "purchase-p1" });
    expect(relay.records[0].message).toMatchObject({
      id: "purchase-p1:1",
      type: "MusicFest.Purchases.PurchasePlaced.v2",
      causationid: "cmd-place-p1",
      correlationid: "corr-p1",
      data: { purchaseId: "p1", tier: "vip", quantity: 2, unitPriceCents: 15000, totalCents: 30000 },
    });
    expect(await purchaseStatus(store, "p1")).toMatchObject({ status: "pending", totalCents: 30000, version: 1 });
  });

  it("a duplicate delivery of each command writes nothing the second time", async () => {
    const { store, relay, send } = await setUp();
    for (const message of [place(), cancel()]) {
      expect((await send(message)).status).toBe("handled");
      expect((await send(message)).status).toBe("duplicate");
    }
    expect((await store.readStream("purchase-p1")).version).toBe(2);
    expect(relay.records.map((r) => r.message.type)).toEqual(["MusicFest.Purchases.PurchasePlaced.v2", "MusicFest.Purchases.PurchaseCancelled.v1"]);
  });

  it("a finished purchase absorbs later commands: nothing written", async () => {
    const { store, send } = await setUp();
    await send(place());
    await send(complete);
    expect(await send(cancel("cmd-late-cancel"))).toMatchObject({ status: "unchanged", version: 2 });
    expect(await purchaseStatus(store, "p1")).toMatchObject({ status: "completed", ticketIds: ["t1", "t2"], paymentId: "pay-1" });
  });

  it("purchase status: cancelled with its reason and refund", async () => {
    const { store, send } = await setUp();
    await send(place());
    await send(cancel());
    const status = await purchaseStatus(store, "p1");
    expect(status).toMatchObject({ status: "cancelled", reason: "tickets-unavailable", detail: "no seats", refunded: true, cancelledAt: placedAt.toISOString() });
    expect(status.ticketIds).toBeUndefined();
  });

  it("refuses PlacePurchase for a concert that does not exist, writing nothing; accepts it once the concert exists", async () => {
    const { store, send, deps } = await setUp();
    await expect(send(place("p2", "c2"))).rejects.toMatchObject({ code: "ConcertNotFound" });
    expect((await store.readStream("purchase-p2")).version).toBe(0);
    await handleConcertCommand({ ...schedule, id: "cmd-schedule-c2", data: { ...schedule.data, concertId: "c2", prices: { standard: 10, vip: 20 } } }, deps);
    expect(await send(place("p2", "c2"))).toMatchObject({ status: "handled" });
    expect(await purchaseStatus(store, "p2")).toMatchObject({ unitPriceCents: 20, totalCents: 40 });
  });

  it("reads a purchase stored as v1 (before tiers) as v2", async () => {
    const { store } = await setUp();
    const v1 = envelope("MusicFest.Purchases.PurchasePlaced.v1", { purchaseId: "old", concertId: "c1", fanId: "fan-9", fanEmail: "old@example.com", tickets: 3, totalCents: 9000, placedAt: "2025-01-01T10:00:00.000Z" }, { correlationId: "c", id: "purchase-old:1" });
    await store.commit({ streamId: "purchase-old", expectedVersion: 0, events: [v1] });
    expect(await purchaseStatus(store, "old")).toMatchObject({ status: "pending", fan: { id: "fan-9", email: "old@example.com" }, tier: "standard", quantity: 3, unitPriceCents: 3000, totalCents: 9000 });
  });
});

describe("purchase queries", () => {
  it("a concert's tickets left per tier", async () => {
    const { store, deps } = await setUp();
    await handleConcertCommand(createMessage("ReserveTickets", { concertId: "c1", purchaseId: "p1", tier: "vip", quantity: 2 }, { correlationId: "x" }), deps);
    expect(await concertAvailability(store, "c1")).toMatchObject({ concertId: "c1", name: "Night Owls", capacity: { standard: 5, vip: 2 }, ticketsLeft: { standard: 5, vip: 0 }, version: 2 });
  });

  it("unknown ids are not-found errors (404), too few tickets left a conflict (409)", async () => {
    const { store } = await setUp();
    const statusOf = (p: Promise<unknown>) => p.then(() => 200, (e: DomainError) => httpStatusOf(e));
    expect(await statusOf(concertAvailability(store, "nope"))).toBe(404);
    expect(await statusOf(ensureTicketsLeft(store, "c1", "vip", 3))).toBe(409);
    await expect(concertAvailability(store, "nope")).rejects.toMatchObject({ code: "ConcertNotFound", kind: "not-found" });
    await expect(purchaseStatus(store, "nope")).rejects.toMatchObject({ code: "PurchaseNotFound", kind: "not-found" });
    await expect(ensureTicketsLeft(store, "c1", "vip", 3)).rejects.toMatchObject({ code: "SoldOut", kind: "conflict" });
    await expect(ensureTicketsLeft(store, "nope", "vip", 1)).rejects.toMatchObject({ code: "ConcertNotFound" });
    expect(await ensureTicketsLeft(store, "c1", "vip", 2)).toMatchObject({ ticketsLeft: { vip: 2 } });
  });
});
