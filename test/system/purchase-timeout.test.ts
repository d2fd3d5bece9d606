/**
 * The reservation timeout end to end: the payment gateway keeps failing transiently (Payment__transientFailureRate
 * 1: every CapturePayment is redelivered, then dead-lettered), so the purchase stays unpaid; the purchase process
 * scheduled ReservationExpired (a scheduled Service Bus message in the purchase's session) for
 * Purchase__reservationTimeout later. Moving the emulator's clock past it cancels the purchase and gives the tickets
 * back, without anyone waiting for real.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fan, TicketingClient } from "./purchase-client.js";
import { type SystemUnderTest, startSystemUnderTest, until } from "./system-under-test.js";

let sut: SystemUnderTest;
let api: TicketingClient;
beforeAll(async () => {
  sut = await startSystemUnderTest({ settings: { Payment__transientFailureRate: "1", Purchase__reservationTimeout: "PT2M" } });
  api = new TicketingClient(sut);
}, 60_000);
afterAll(() => sut?.close());

describe("reservation timeout", () => {
  it("cancels an unpaid purchase once its reservation expires, and releases its tickets", async () => {
    const concert = await api.scheduleConcert({ capacity: { standard: 20, vip: 0 } });
    const res = await api.placePurchase({ concertId: concert.concertId, fan: fan(), tier: "standard", quantity: 4 });
    expect(res.status).toBe(202);
    const { purchaseId } = res.body;

    // Reserved, and the payment failing: held tickets, a pending purchase.
    await until(() => api.concert(concert.concertId), (c) => c.body.ticketsLeft?.standard === 16);
    await until(async () => sut.invocations.filter((r) => r.functionName === "payments" && r.outcome === "failed").length, (n) => n >= 2);
    expect((await api.purchase(purchaseId)).body.status).toBe("pending");

    // Not yet: a minute later the reservation still holds.
    await sut.advanceClock(60_000);
    expect((await api.purchase(purchaseId)).body.status).toBe("pending");

    await sut.advanceClock(61_000);
    const done = await api.outcome(purchaseId);
    expect(done).toMatchObject({ status: "cancelled", reason: "reservation-expired", refunded: false });
    await until(() => api.concert(concert.concertId), (c) => c.body.ticketsLeft?.standard === 20);
    // Nothing was charged: every attempt failed before the gateway processed it.
    expect(await api.ledger(purchaseId)).toEqual([]);
    const mails = await until(() => api.mails(purchaseId), (m) => m.length > 0);
    expect(mails).toHaveLength(1);
  });
});
