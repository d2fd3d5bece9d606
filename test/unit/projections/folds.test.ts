import { describe, expect, it } from "vitest";
import { evolveConcertAvailability } from "../../../src/projections/concert-availability.js";
import { addCompletedPurchase } from "../../../src/projections/concert-sales.js";
import { evolveFanPurchase } from "../../../src/projections/fan-purchases.js";
import type { ProjectedEvent } from "../../../src/projections/projected-event.js";
import { evolvePurchaseStatus } from "../../../src/projections/purchase-status.js";
import { cancelled, completed, type NewEvent, placed, rejected, released, reserved, scheduled } from "./fixtures.js";

const at = (streamId: string, version: number, e: NewEvent) => ({ ...e, streamId, version, id: `${streamId}:${version}` }) as ProjectedEvent<never>;

describe("read model folds (pure)", () => {
  it("purchase status: pending, then completed with its tickets, or cancelled with its reason", () => {
    const s = "purchase-p1";
    const pending = evolvePurchaseStatus(undefined, at(s, 1, placed("p1", "vip", 2)));
    expect(pending).toEqual({ purchaseId: "p1", concertId: "rock-night", status: "pending", fan: { id: "fan-1", email: "ada@example.com", name: "Ada" }, tier: "vip", quantity: 2, unitPriceCents: 15_000, totalCents: 30_000, placedAt: "2026-05-01T10:00:00.000Z" });
    expect(evolvePurchaseStatus(pending, at(s, 2, completed("p1", "vip", 2)))).toMatchObject({ status: "completed", ticketIds: ["p1-t1", "p1-t2"], paymentId: "pay-p1", totalCents: 30_000 });
    const gone = evolvePurchaseStatus(pending, at(s, 2, cancelled("p1", "vip", 2)));
    expect(gone).toMatchObject({ status: "cancelled", reason: "payment-declined", refunded: false });
    expect(gone.ticketIds).toBeUndefined();
    expect(() => evolvePurchaseStatus(undefined, at(s, 2, completed("p1", "vip", 2)))).toThrow(/before the purchase was placed/);
  });

  it("fan's purchase: one row per purchase, following its status", () => {
    const row = evolveFanPurchase(undefined, at("purchase-p1", 1, placed("p1", "standard", 3)));
    expect(row).toEqual({ purchaseId: "p1", fanId: "fan-1", concertId: "rock-night", status: "pending", tier: "standard", quantity: 3, totalCents: 15_000, placedAt: "2026-05-01T10:00:00.000Z" });
    expect(evolveFanPurchase(row, at("purchase-p1", 2, completed("p1", "standard", 3)))).toMatchObject({ status: "completed", ticketIds: ["p1-t1", "p1-t2", "p1-t3"] });
  });

  it("concert availability: capacity, minus reservations, plus releases; a rejection changes nothing", () => {
    const s = "concert-rock-night";
    let view = evolveConcertAvailability(undefined, at(s, 1, scheduled()));
    expect(view.ticketsLeft).toEqual({ standard: 10, vip: 2 });
    view = evolveConcertAvailability(view, at(s, 2, reserved("p1", "vip", 2)));
    view = evolveConcertAvailability(view, at(s, 3, reserved("p2", "standard", 4)));
    expect(view.ticketsLeft).toEqual({ standard: 6, vip: 0 });
    expect(evolveConcertAvailability(view, at(s, 4, rejected("p3", "vip", 1, 0)))).toEqual(view);
    view = evolveConcertAvailability(view, at(s, 4, released("p1", "vip", 2)));
    expect(view).toMatchObject({ concertId: "rock-night", name: "Rock Night", capacity: { standard: 10, vip: 2 }, prices: { standard: 5_000, vip: 15_000 }, ticketsLeft: { standard: 6, vip: 2 } });
  });

  it("concert sales: tickets and revenue per tier from completed purchases", () => {
    let sales = addCompletedPurchase(undefined, at("purchase-p1", 2, completed("p1", "vip", 2)) as ProjectedEvent<"PurchaseCompleted">);
    sales = addCompletedPurchase(sales, at("purchase-p2", 2, completed("p2", "standard", 3)) as ProjectedEvent<"PurchaseCompleted">);
    expect(sales).toEqual({
      concertId: "rock-night",
      tiers: { standard: { ticketsSold: 3, revenueCents: 15_000 }, vip: { ticketsSold: 2, revenueCents: 30_000 } },
      ticketsSold: 5,
      revenueCents: 45_000,
      purchases: 2,
    });
  });
});
