/** The slice's pure logic: how outcomes evolve a purchase, and which terminal event a change produces. */
import { describe, expect, it } from "vitest";
import { evolve, type Outcome, type Purchase, requested, transition } from "../../src/domain/purchase.js";
import { createEvent, readEvent, InvalidEventError } from "../../src/events/catalog.js";

const at = new Date("2026-07-01T18:00:00Z");
const pending: Purchase = requested(
  { purchaseId: "p-1", concertId: "rock-night", fan: { id: "f-1", email: "f@example.com" }, tickets: 2, paymentToken: "tok_visa", requestedAt: at.toISOString() },
  "corr-1",
);
const authorized: Outcome = { name: "PaymentAuthorized", data: { purchaseId: "p-1", authorizationId: "auth_1", amountCents: 10_000 } };
const declined: Outcome = { name: "PaymentDeclined", data: { purchaseId: "p-1", reason: "card_declined" } };
const reserved: Outcome = { name: "TicketsReserved", data: { purchaseId: "p-1", ticketIds: ["T1", "T2"] } };

describe("a purchase", () => {
  it("completes once both the payment and the tickets are in, in either order", () => {
    for (const [first, second] of [
      [authorized, reserved],
      [reserved, authorized],
    ]) {
      const half = evolve(pending, first, at);
      expect(half.status).toBe("pending");
      expect(transition(pending, half)).toBeUndefined();
      const done = evolve(half, second, at);
      expect(done).toMatchObject({ status: "completed", completedAt: at.toISOString(), reservation: { ticketIds: ["T1", "T2"] } });
      expect(transition(half, done)).toMatchObject({ name: "PurchaseCompleted", data: { purchaseId: "p-1", ticketIds: ["T1", "T2"], authorizationId: "auth_1" } });
    }
  });

  it("is declined by a declined payment, and later outcomes change nothing", () => {
    const d = evolve(pending, declined, at);
    expect(d).toMatchObject({ status: "declined", payment: { status: "declined", reason: "card_declined" } });
    expect(transition(pending, d)).toMatchObject({ name: "PurchaseDeclined", data: { reason: "card_declined" } });
    expect(evolve(d, reserved, at)).toBe(d);
    expect(evolve(d, authorized, at)).toBe(d);
  });

  it("ignores a redelivered outcome", () => {
    const half = evolve(pending, authorized, at);
    expect(evolve(half, { ...authorized, data: { ...authorized.data, authorizationId: "auth_other" } }, at)).toBe(half);
  });
});

describe("the event catalog", () => {
  it("round-trips an event through its JSON form", () => {
    const event = createEvent("TicketsReserved", { purchaseId: "p-1", ticketIds: ["T1"] }, { correlationId: "corr-1", id: "p-1.tickets" });
    expect(event).toMatchObject({ specversion: "1.0", type: "MusicFest.TicketingProvider.TicketsReserved.v1", id: "p-1.tickets", correlationid: "corr-1" });
    expect(readEvent(JSON.stringify(event), ["TicketsReserved"]).event).toEqual(event);
  });

  it("refuses an unexpected type and invalid data, saying which field", () => {
    const event = createEvent("TicketsReserved", { purchaseId: "p-1", ticketIds: ["T1"] }, { correlationId: "c" });
    expect(() => readEvent(event, ["PaymentAuthorized"])).toThrow(InvalidEventError);
    expect(() => readEvent({ ...event, data: { purchaseId: "p-1", ticketIds: [] } }, ["TicketsReserved"])).toThrow(/ticketIds/);
    expect(() => readEvent({ hello: "world" }, ["TicketsReserved"])).toThrow(/CloudEvents/);
  });
});
