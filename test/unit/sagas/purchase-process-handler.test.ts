import { describe, expect, it } from "vitest";
import { concertAvailability, purchaseStatus } from "../../../src/commands/purchase-queries.js";
import { messageNameOf } from "../../../src/events/catalog.js";
import { envelope } from "../../../src/events/envelope.js";
import { StreamRepository } from "../../../src/eventstore/stream-repository.js";
import { handlePurchaseProcessMessage } from "../../../src/sagas/purchase-process-handler.js";
import { purchaseProcessStream } from "../../../src/sagas/purchase-process-stream.js";
import { InProcessWriteSide, type Replies } from "./in-process-write-side.js";

const start = new Date("2026-06-01T18:00:00.000Z");
const fan = { id: "fan-1", email: "ada@example.com" };
const tenMinutes = 10 * 60_000;
const commands = new Set(["PlacePurchase", "ReserveTickets", "ReleaseTickets", "CapturePayment", "RefundPayment", "IssueTickets", "CompletePurchase", "CancelPurchase"]);

async function withConcert(replies?: Replies): Promise<InProcessWriteSide> {
  const side = new InProcessWriteSide(start, replies);
  await side.send("ScheduleConcert", { concertId: "c1", name: "Night Owls", venue: "Main Stage", startsAt: "2026-07-01T20:00:00.000Z", capacity: { standard: 10, vip: 2 }, prices: { standard: 5000, vip: 15000 } }, "schedule-c1");
  return side;
}

const buy = (side: InProcessWriteSide, purchaseId = "p1", quantity = 2) => side.send("PlacePurchase", { purchaseId, concertId: "c1", fan, tier: "vip", quantity }, `place-${purchaseId}`);
const sentCommands = (side: InProcessWriteSide) => side.names().filter((n) => commands.has(n));

describe("purchase process through the handlers (in-memory store)", () => {
  it("happy path: reserve, pay, issue, complete; the later timeout changes nothing", async () => {
    const side = await withConcert();
    await buy(side);
    expect(sentCommands(side)).toEqual(["PlacePurchase", "ReserveTickets", "CapturePayment", "IssueTickets", "CompletePurchase"]);
    expect(await purchaseStatus(side.store, "p1")).toMatchObject({ status: "completed", ticketIds: ["p1-t1", "p1-t2"], paymentId: "pay-p1", totalCents: 30000 });
    expect((await concertAvailability(side.store, "c1")).ticketsLeft.vip).toBe(0);

    await side.advance(tenMinutes);
    expect(side.processOutcomes.at(-1)).toBe("ReservationExpired:unchanged");
    expect((await concertAvailability(side.store, "c1")).ticketsLeft.vip).toBe(0);
  });

  it("every message is caused by the one before it and carries the request's correlation id", async () => {
    const side = await withConcert();
    await buy(side);
    const conversation = side.delivered.filter((m) => m.correlationid === "corr-place-p1");
    expect(conversation.length).toBe(side.delivered.length - 2); // all but ScheduleConcert and its ConcertScheduled
    conversation.slice(1).forEach((m, i) => expect(conversation.slice(0, i + 1).map((c) => c.id)).toContain(m.causationid));
    const reserve = conversation.find((m) => messageNameOf(m.type) === "ReserveTickets")!;
    expect(reserve.id).toBe("purchase-p1:1:ReserveTickets");
    expect(reserve.causationid).toBe("purchase-p1:1");
  });

  it("payment declined: the tickets go back and the purchase is cancelled", async () => {
    const side = await withConcert({ payment: "decline", tickets: "issue" });
    await buy(side);
    expect(sentCommands(side)).toEqual(["PlacePurchase", "ReserveTickets", "CapturePayment", "ReleaseTickets", "CancelPurchase"]);
    expect(await purchaseStatus(side.store, "p1")).toMatchObject({ status: "cancelled", reason: "payment-declined", refunded: false });
    expect((await concertAvailability(side.store, "c1")).ticketsLeft.vip).toBe(2);
  });

  it("tickets unavailable: refund, then release, and the purchase is cancelled once the refund is confirmed", async () => {
    const side = await withConcert({ payment: "capture", tickets: "fail" });
    await buy(side);
    const names = side.names();
    expect(sentCommands(side)).toEqual(["PlacePurchase", "ReserveTickets", "CapturePayment", "IssueTickets", "RefundPayment", "ReleaseTickets", "CancelPurchase"]);
    expect(names.indexOf("CancelPurchase")).toBeGreaterThan(names.indexOf("PaymentRefunded"));
    expect(await purchaseStatus(side.store, "p1")).toMatchObject({ status: "cancelled", reason: "tickets-unavailable", refunded: true });
    expect((await concertAvailability(side.store, "c1")).ticketsLeft.vip).toBe(2);
  });

  it("reservation timeout: an unpaid reservation is released and cancelled; the late capture is refunded", async () => {
    const side = await withConcert({ payment: "capture", tickets: "issue", holdPayments: true });
    await buy(side);
    await side.advance(tenMinutes - 1);
    expect(await purchaseStatus(side.store, "p1")).toMatchObject({ status: "pending" });
    await side.advance(1);
    expect(await purchaseStatus(side.store, "p1")).toMatchObject({ status: "cancelled", reason: "reservation-expired", refunded: false });
    expect((await concertAvailability(side.store, "c1")).ticketsLeft.vip).toBe(2);

    await side.releasePayments();
    expect(sentCommands(side).slice(-3)).toEqual(["ReleaseTickets", "CancelPurchase", "RefundPayment"]);
    expect(side.names()).not.toContain("IssueTickets");
    const process = await new StreamRepository(side.store).load(purchaseProcessStream, "p1");
    expect(process.state).toMatchObject({ step: "cancelled", payment: { paymentId: "pay-p1", refunded: true } });
    expect(await purchaseStatus(side.store, "p1")).toMatchObject({ status: "cancelled", reason: "reservation-expired" });
  });

  it("sold out: of two purchases of the last tickets, one completes and the other is cancelled", async () => {
    const side = await withConcert();
    await buy(side, "p1", 2);
    await buy(side, "p2", 2);
    expect(await purchaseStatus(side.store, "p1")).toMatchObject({ status: "completed" });
    expect(await purchaseStatus(side.store, "p2")).toMatchObject({ status: "cancelled", reason: "sold-out", refunded: false });
    expect(side.names().filter((n) => n === "CapturePayment")).toHaveLength(1);
  });

  it("every message delivered again has no second effect", async () => {
    const side = await withConcert({ payment: "capture", tickets: "fail" });
    await buy(side);
    const first = [...side.delivered];
    const streams = ["purchase-p1", "purchase-process-p1", "concert-c1"];
    const versions = await Promise.all(streams.map(async (s) => (await side.store.readStream(s)).version));
    const outcomesBefore = side.processOutcomes.length;
    for (const message of first) await side.redeliver(message);
    // The scripted services answer a redelivered command again, with the same message id: no id is new.
    expect(new Set(side.delivered.map((m) => m.id))).toEqual(new Set(first.map((m) => m.id)));
    expect(await Promise.all(streams.map(async (s) => (await side.store.readStream(s)).version))).toEqual(versions);
    expect(side.processOutcomes.slice(outcomesBefore).every((o) => o.endsWith(":duplicate"))).toBe(true);
  });

  it("a PurchasePlaced v1 (before tiers) starts the process as a standard purchase", async () => {
    const side = await withConcert();
    const v1 = envelope("MusicFest.Purchases.PurchasePlaced.v1", { purchaseId: "old", concertId: "c1", fanId: "fan-9", fanEmail: "old@example.com", tickets: 3, totalCents: 15000, placedAt: "2025-01-01T10:00:00.000Z" }, { correlationId: "c-old", id: "purchase-old:1" });
    const outcome = await handlePurchaseProcessMessage(JSON.stringify(v1), side.deps);
    expect(outcome).toMatchObject({ status: "handled", handled: "PurchasePlaced" });
    const reserve = outcome.status === "handled" ? outcome.outbox[0].message : undefined;
    expect(reserve).toMatchObject({ id: "purchase-old:1:ReserveTickets", type: "MusicFest.Concerts.ReserveTickets.v1", data: { purchaseId: "old", tier: "standard", quantity: 3 } });
  });
});
