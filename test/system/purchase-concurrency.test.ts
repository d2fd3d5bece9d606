/**
 * Concurrent purchases of the last tickets, end to end: N fans ask at once for k < N tickets.
 * - With the POST's admission off (Purchase__admissionHold=PT0S, as when instances each accept fans), the API refuses
 *   only what the concert already shows sold out; the concert's stream decides the rest with optimistic concurrency
 *   (a writer that loses reloads and decides again), so exactly k purchases complete and every other accepted one is
 *   cancelled sold-out.
 * - With it on (the default), the API counts the tickets the purchases it accepted ask for: exactly k fans are
 *   accepted and all complete, and the others get 409 SoldOut at once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fan, TicketingClient } from "./purchase-client.js";
import { type SystemUnderTest, startSystemUnderTest } from "./system-under-test.js";

describe("the last tickets, the concert deciding between accepted purchases", () => {
  let sut: SystemUnderTest;
  let api: TicketingClient;
  beforeAll(async () => {
    sut = await startSystemUnderTest({ settings: { Purchase__admissionHold: "PT0S" } });
    api = new TicketingClient(sut);
  }, 60_000);
  afterAll(() => sut?.close());

  it("sells exactly the tickets left when more fans than tickets buy at once", async () => {
    const available = 5;
    const fans = 14;
    const concert = await api.scheduleConcert({ capacity: { standard: available, vip: 0 } });
    const answers = await Promise.all(Array.from({ length: fans }, () => api.placePurchase({ concertId: concert.concertId, fan: fan(), tier: "standard", quantity: 1 })));
    for (const a of answers) expect([202, 409]).toContain(a.status);
    for (const refused of answers.filter((a) => a.status === 409)) expect(refused.body).toMatchObject({ status: 409, code: "SoldOut" });
    const accepted = answers.filter((a) => a.status === 202).map((a) => a.body.purchaseId as string);
    expect(accepted.length).toBeGreaterThanOrEqual(available);

    const outcomes = await Promise.all(accepted.map((id) => api.outcome(id, 40_000)));
    const completed = outcomes.filter((o) => o.status === "completed");
    expect(completed).toHaveLength(available);
    for (const o of outcomes.filter((x) => x.status !== "completed")) expect(o).toMatchObject({ status: "cancelled", reason: "sold-out", refunded: false });
    // Distinct tickets for each buyer, none left, and only the buyers charged.
    expect(new Set(completed.flatMap((o) => o.ticketIds)).size).toBe(available);
    expect(await api.ticketsLeftReaching(concert.concertId, { standard: 0, vip: 0 })).toEqual({ standard: 0, vip: 0 });
    const charged = await Promise.all(accepted.map((id) => api.ledger(id)));
    expect(charged.filter((entries) => entries.length > 0)).toHaveLength(available);
    // The next fan is refused up front.
    const late = await api.placePurchase({ concertId: concert.concertId, fan: fan(), tier: "standard", quantity: 1 });
    expect(late).toMatchObject({ status: 409, body: { code: "SoldOut" } });
  }, 60_000);
});

describe("the last tickets, the API admitting only as many fans as there are tickets", () => {
  let sut: SystemUnderTest;
  let api: TicketingClient;
  beforeAll(async () => {
    sut = await startSystemUnderTest();
    api = new TicketingClient(sut);
  }, 60_000);
  afterAll(() => sut?.close());

  it("accepts exactly the fans the tickets left cover, refuses the rest at once, and completes every accepted one", async () => {
    const available = 5;
    const concert = await api.scheduleConcert({ capacity: { standard: available, vip: 0 } });
    const answers = await Promise.all(Array.from({ length: 14 }, () => api.placePurchase({ concertId: concert.concertId, fan: fan(), tier: "standard", quantity: 1 })));
    const accepted = answers.filter((a) => a.status === 202).map((a) => a.body.purchaseId as string);
    const refused = answers.filter((a) => a.status === 409);
    expect(accepted).toHaveLength(available);
    expect(refused).toHaveLength(14 - available);
    for (const r of refused) expect(r.body).toMatchObject({ status: 409, code: "SoldOut", detail: expect.stringMatching(/asked for by purchases under way/) });

    const outcomes = await Promise.all(accepted.map((id) => api.outcome(id, 40_000)));
    expect(outcomes.map((o) => o.status)).toEqual(Array(available).fill("completed"));
    expect(await api.ticketsLeftReaching(concert.concertId, { standard: 0, vip: 0 })).toEqual({ standard: 0, vip: 0 });
    const late = await api.placePurchase({ concertId: concert.concertId, fan: fan(), tier: "standard", quantity: 1 });
    expect(late).toMatchObject({ status: 409, body: { code: "SoldOut", detail: expect.stringMatching(/has 0 standard ticket\(s\) left/) } });
  }, 60_000);
});
