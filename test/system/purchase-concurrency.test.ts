/**
 * Concurrent purchases of the last tickets, end to end: N fans ask at once for k < N tickets. The API refuses what
 * it already sees sold out (409); the concert's stream decides the rest with optimistic concurrency (a writer that
 * loses reloads and decides again), so exactly k purchases complete and every other one is cancelled sold-out.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fan, TicketingClient } from "./purchase-client.js";
import { type SystemUnderTest, startSystemUnderTest } from "./system-under-test.js";

let sut: SystemUnderTest;
let api: TicketingClient;
beforeAll(async () => {
  sut = await startSystemUnderTest();
  api = new TicketingClient(sut);
}, 60_000);
afterAll(() => sut?.close());

describe("the last tickets", () => {
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
