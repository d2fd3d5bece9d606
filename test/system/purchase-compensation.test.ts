/**
 * The purchase process compensating, end to end under the local host: a declined payment releases the tickets and
 * cancels the purchase without a charge; a provider with no tickets (TicketingProvider__unavailableConcerts) after
 * the payment was captured gets the money refunded and the tickets released, then the purchase cancelled.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fan, TicketingClient } from "./purchase-client.js";
import { type SystemUnderTest, startSystemUnderTest, until } from "./system-under-test.js";

const UNAVAILABLE = "no-tickets-at-provider";

let sut: SystemUnderTest;
let api: TicketingClient;
beforeAll(async () => {
  sut = await startSystemUnderTest({ settings: { TicketingProvider__unavailableConcerts: UNAVAILABLE, Payment__declineOverCents: "50000" } });
  api = new TicketingClient(sut);
}, 60_000);
afterAll(() => sut?.close());

describe("compensation", () => {
  it("cancels a purchase whose payment is declined: tickets released, nothing charged, one mail", async () => {
    const concert = await api.scheduleConcert({ capacity: { standard: 100, vip: 10 }, prices: { standard: 5_000, vip: 20_000 } });
    const buyer = fan();
    // 3 VIP tickets, 60,000 cents: over Payment__declineOverCents.
    const res = await api.placePurchase({ concertId: concert.concertId, fan: buyer, tier: "vip", quantity: 3 });
    expect(res.status).toBe(202);
    const done = await api.outcome(res.body.purchaseId);
    expect(done).toMatchObject({ status: "cancelled", reason: "payment-declined", refunded: false });

    const ledger = await api.ledger(res.body.purchaseId);
    expect(ledger.map((e) => [e.rowKey, e.status])).toEqual([["charge", "declined"]]);
    // The reservation is given back: all ten VIP tickets are for sale again.
    await until(() => api.concert(concert.concertId), (c) => c.body.ticketsLeft?.vip === 10);
    const mails = await until(() => api.mails(res.body.purchaseId), (m) => m.length > 0);
    expect(mails).toHaveLength(1);
    expect(mails[0].to).toBe(buyer.email);
  });

  it("refunds and releases when the provider has no tickets after the payment was captured, then cancels with refunded true", async () => {
    const concert = await api.scheduleConcert({ concertId: UNAVAILABLE, capacity: { standard: 50, vip: 0 } });
    const res = await api.placePurchase({ concertId: concert.concertId, fan: fan(), tier: "standard", quantity: 2 });
    expect(res.status).toBe(202);
    const { purchaseId } = res.body;
    const done = await api.outcome(purchaseId);
    expect(done).toMatchObject({ status: "cancelled", reason: "tickets-unavailable", refunded: true });

    // The ledger: the charge and its refund, same amount.
    const ledger = await api.ledger(purchaseId);
    expect(ledger.map((e) => [e.rowKey, e.status, e.amountCents]).sort()).toEqual([
      ["charge", "captured", 10_000],
      ["refund", "refunded", 10_000],
    ]);
    await until(() => api.concert(concert.concertId), (c) => c.body.ticketsLeft?.standard === 50);

    // The process's own log shows the order of the compensation: refund confirmed before the purchase is cancelled.
    const process = (await api.streamEvents(`purchase-process-${purchaseId}`)).map((e) => String(e.type).split(".")[2]);
    expect(process).toEqual(["PurchasePlaced", "TicketsReserved", "PaymentCaptured", "TicketIssueFailed", "PaymentRefunded"]);
    const [notification] = await until(() => api.notifications(purchaseId), (n) => n.length > 0);
    expect(notification).toMatchObject({ kind: "PurchaseCancelled" });
    expect(sut.invocations.filter((r) => r.outcome === "failed")).toEqual([]);
  });
});
