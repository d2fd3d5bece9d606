/**
 * The happy path end to end under the local host, driven only from outside (HTTP, Table Storage reads):
 * POST /api/concerts -> ScheduleConcert; POST /api/purchases -> 202 + Location -> PlacePurchase -> PurchasePlaced ->
 * the purchase process -> ReserveTickets -> CapturePayment -> IssueTickets (the simulated provider over HTTP) ->
 * CompletePurchase -> PurchaseCompleted -> one mail (choreography) and notify-fan (Event Grid).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fan, TicketingClient } from "./purchase-client.js";
import { type SystemUnderTest, startSystemUnderTest, until } from "./system-under-test.js";

let sut: SystemUnderTest;
let api: TicketingClient;
beforeAll(async () => {
  sut = await startSystemUnderTest();
  api = new TicketingClient(sut);
}, 60_000);
afterAll(() => sut?.close());

describe("buying tickets", () => {
  it("completes a purchase: 202 with Location, then completed with tickets, one charge, one mail, the fan notified", async () => {
    const concert = await api.scheduleConcert({ capacity: { standard: 10, vip: 2 }, prices: { standard: 4_500, vip: 15_000 } });
    const buyer = fan();
    const res = await api.placePurchase({ concertId: concert.concertId, fan: buyer, tier: "vip", quantity: 2 }, { "x-correlation-id": "corr-happy-1" });
    expect(res.status).toBe(202);
    expect(res.headers.get("x-correlation-id")).toBe("corr-happy-1");
    const { purchaseId } = res.body;
    expect(res.headers.get("location")).toBe(`/api/purchases/${purchaseId}`);
    expect(res.body).toMatchObject({ purchaseId, status: "pending", location: `/api/purchases/${purchaseId}` });

    const done = await api.outcome(purchaseId);
    expect(done).toMatchObject({ purchaseId, concertId: concert.concertId, status: "completed", fan: buyer, tier: "vip", quantity: 2, unitPriceCents: 15_000, totalCents: 30_000 });
    expect(done.ticketIds).toHaveLength(2);
    expect(done.paymentId).toEqual(expect.any(String));

    // The concert's inventory: two VIP tickets fewer.
    expect(await api.ticketsLeftReaching(concert.concertId, { standard: 10, vip: 0 })).toEqual({ standard: 10, vip: 0 });

    // One charge in the gateway's ledger, for the total.
    const ledger = await api.ledger(purchaseId);
    expect(ledger.map((e) => [e.rowKey, e.status, e.amountCents])).toEqual([["charge", "captured", 30_000]]);

    // One mail to the fan, naming the tickets; the fan notified through Event Grid.
    const mails = await until(() => api.mails(purchaseId), (m) => m.length > 0);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ to: buyer.email, purchaseId, correlationId: "corr-happy-1" });
    expect(mails[0].body).toContain(done.ticketIds[0]);
    const [notification] = await until(() => api.notifications(purchaseId), (n) => n.length > 0);
    expect(notification).toMatchObject({ kind: "PurchaseCompleted", to: buyer.email, correlationId: "corr-happy-1" });
    await sut.invocation("notify-fan");

    // Every function of the path ran, and none failed.
    const ran = new Set(sut.invocations.map((r) => r.functionName));
    for (const fn of ["concerts-create", "purchases-create", "purchases", "concerts", "purchase-process", "payments", "ticketing-provider", "simulated-ticketing-provider", "email", "notify-fan"]) expect(ran).toContain(fn);
    expect(sut.invocations.filter((r) => r.outcome === "failed")).toEqual([]);
    // The correlation id followed the purchase through every hop.
    const hops = sut.invocations.filter((r) => r.correlationId === "corr-happy-1").map((r) => r.functionName);
    for (const fn of ["purchases", "purchase-process", "payments", "ticketing-provider", "email", "notify-fan"]) expect(hops).toContain(fn);
  });

  it("places one purchase for one Idempotency-Key, however often the client retries", async () => {
    const concert = await api.scheduleConcert();
    const body = { concertId: concert.concertId, fan: fan(), tier: "standard", quantity: 3 };
    const first = await api.placePurchase(body, { "idempotency-key": "order-77" });
    const again = await api.placePurchase(body, { "idempotency-key": "order-77" });
    expect([first.status, again.status]).toEqual([202, 202]);
    expect(again.body.purchaseId).toBe(first.body.purchaseId);
    await api.outcome(first.body.purchaseId);
    // Once it has its outcome, a retry is a 303 to the purchase, which fetch follows: the purchase as GET answers it.
    const late = await api.placePurchase(body, { "idempotency-key": "order-77" });
    expect(late).toMatchObject({ status: 200, body: { purchaseId: first.body.purchaseId, status: "completed" } });
    // The same key for another purchase is refused.
    const reused = await api.placePurchase({ ...body, quantity: 4 }, { "idempotency-key": "order-77" });
    expect(reused.status).toBe(422);
    expect(await api.ticketsLeftReaching(concert.concertId, { ...concert.capacity, standard: 97 })).toEqual({ ...concert.capacity, standard: 97 });
    expect(await api.ledger(first.body.purchaseId)).toHaveLength(1);
  });
});
