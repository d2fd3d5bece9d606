import { describe, expect, it } from "vitest";
import { type Concert, decideConcert, foldConcert } from "../../../src/domain/concert.js";
import { decidePurchase, foldPurchase, type Purchase, type PurchaseCommand, type PurchaseEvent } from "../../../src/domain/purchase.js";

const now = new Date("2026-06-01T18:00:00.000Z");
const later = new Date("2026-06-01T18:05:00.000Z");
const concert: Concert = foldConcert(
  undefined,
  decideConcert(undefined, { name: "ScheduleConcert", data: { concertId: "c1", name: "Night Owls", venue: "Main Stage", startsAt: "2026-07-01T20:00:00.000Z", capacity: { standard: 10, vip: 2 }, prices: { standard: 5000, vip: 15000 } } }, now),
);
const fan = { id: "fan-1", email: "ada@example.com", name: "Ada" };
const place: PurchaseCommand = { name: "PlacePurchase", data: { purchaseId: "p1", concertId: "c1", fan, tier: "vip", quantity: 2 } };
const complete: PurchaseCommand = { name: "CompletePurchase", data: { purchaseId: "p1", ticketIds: ["t1", "t2"], paymentId: "pay-1" } };
const cancel: PurchaseCommand = { name: "CancelPurchase", data: { purchaseId: "p1", reason: "payment-declined", detail: "over the limit", refunded: false } };

function apply(purchase: Purchase, command: PurchaseCommand, at = now): { state: Purchase; events: PurchaseEvent[] } {
  const events = decidePurchase(purchase, command, at, concert);
  return { state: foldPurchase(purchase, events), events };
}

describe("purchase", () => {
  it("is placed as PurchasePlaced v2, priced from the concert's tier", () => {
    const { state, events } = apply(undefined, place);
    expect(events).toEqual([
      { name: "PurchasePlaced", data: { purchaseId: "p1", concertId: "c1", fan, tier: "vip", quantity: 2, unitPriceCents: 15000, totalCents: 30000, placedAt: now.toISOString() } },
    ]);
    expect(state).toMatchObject({ status: "pending", totalCents: 30000 });
  });

  it("placing it again with the same details is a no-op; with other details a conflict", () => {
    const { state } = apply(undefined, place);
    expect(decidePurchase(state, place, later, concert)).toEqual([]);
    const other: PurchaseCommand = { name: "PlacePurchase", data: { ...place.data, quantity: 3 } };
    expect(() => decidePurchase(state, other, later, concert)).toThrow(expect.objectContaining({ code: "PurchaseConflict", kind: "conflict" }));
  });

  it("cannot be placed for a concert that does not exist", () => {
    expect(() => decidePurchase(undefined, place, now, undefined)).toThrow(expect.objectContaining({ code: "ConcertNotFound", kind: "not-found" }));
  });

  it("completes with the tickets and the payment, then absorbs later commands", () => {
    const placed = apply(undefined, place).state;
    const { state, events } = apply(placed, complete, later);
    expect(events).toEqual([
      { name: "PurchaseCompleted", data: { purchaseId: "p1", concertId: "c1", fan, tier: "vip", quantity: 2, ticketIds: ["t1", "t2"], totalCents: 30000, paymentId: "pay-1", completedAt: later.toISOString() } },
    ]);
    expect(state).toMatchObject({ status: "completed", ticketIds: ["t1", "t2"], paymentId: "pay-1" });
    expect(decidePurchase(state, complete, later)).toEqual([]);
    expect(decidePurchase(state, cancel, later)).toEqual([]);
  });

  it("cancels with the reason, then absorbs later commands", () => {
    const placed = apply(undefined, place).state;
    const { state, events } = apply(placed, cancel, later);
    expect(events).toEqual([
      { name: "PurchaseCancelled", data: { purchaseId: "p1", concertId: "c1", fan, tier: "vip", quantity: 2, reason: "payment-declined", detail: "over the limit", refunded: false, cancelledAt: later.toISOString() } },
    ]);
    expect(state).toMatchObject({ status: "cancelled", cancellation: { reason: "payment-declined", refunded: false } });
    expect(decidePurchase(state, complete, later)).toEqual([]);
    expect(decidePurchase(state, { ...cancel, data: { ...cancel.data, reason: "sold-out" } } as PurchaseCommand, later)).toEqual([]);
  });

  it("completing or cancelling a purchase that does not exist is refused with PurchaseNotFound", () => {
    expect(() => decidePurchase(undefined, complete, now)).toThrow(expect.objectContaining({ code: "PurchaseNotFound", kind: "not-found" }));
    expect(() => decidePurchase(undefined, cancel, now)).toThrow(expect.objectContaining({ code: "PurchaseNotFound" }));
  });
});
