import { describe, expect, it } from "vitest";
import { createMessage, InvalidMessageError } from "../../../src/events/catalog.js";
import type { OutboxRecord } from "../../../src/eventstore/event-store.js";
import { InMemoryEventStore } from "../../../src/eventstore/in-memory-event-store.js";
import { handlePaymentCommand } from "../../../src/services/payment/payment-handler.js";
import { InMemoryPaymentLedger } from "../../../src/services/payment/payment-ledger.js";
import { SimulatedPaymentGateway, TransientPaymentError } from "../../../src/services/payment/simulated-payment-gateway.js";

const now = new Date("2026-06-01T18:00:00.000Z");
const capture = (purchaseId: string, amountCents: number, id = `${purchaseId}:CapturePayment`) =>
  createMessage("CapturePayment", { purchaseId, fanId: "fan-1", amountCents }, { id, correlationId: `corr-${purchaseId}`, traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" });
const refund = (purchaseId: string, paymentId: string, amountCents: number) => createMessage("RefundPayment", { purchaseId, paymentId, amountCents }, { id: `${purchaseId}:RefundPayment`, correlationId: `corr-${purchaseId}` });

function setUp(options: { declineOverCents?: number; transientFailureRate?: number; random?: () => number } = {}) {
  const store = new InMemoryEventStore(() => now);
  const ledger = new InMemoryPaymentLedger();
  const records: OutboxRecord[] = [];
  const gateway = new SimulatedPaymentGateway(ledger, { now: () => now, ...options });
  const deps = { store, gateway, now: () => now, relay: { deliver: async (r: readonly OutboxRecord[]) => void records.push(...r) } };
  const send = (message: object) => handlePaymentCommand(Buffer.from(JSON.stringify(message)), deps);
  return { store, ledger, records, send };
}

describe("payments command handler", () => {
  it("captures: PaymentCaptured on payment-<purchaseId>, caused by the command, published on the events channel", async () => {
    const { records, ledger, send } = setUp();
    expect(await send(capture("p1", 5_000))).toMatchObject({ status: "handled", command: "CapturePayment", streamId: "payment-p1", version: 1 });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ channel: "events", partitionKey: "payment-p1" });
    expect(records[0].message).toMatchObject({
      id: "payment-p1:1",
      type: "MusicFest.Payments.PaymentCaptured.v1",
      correlationid: "corr-p1",
      causationid: "p1:CapturePayment",
      traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
      data: { purchaseId: "p1", amountCents: 5_000, capturedAt: now.toISOString() },
    });
    expect(await ledger.entriesOf("p1")).toHaveLength(1);
  });

  it("declines over the limit: PaymentDeclined with the reason", async () => {
    const { records, send } = setUp({ declineOverCents: 1_000 });
    await send(capture("p2", 1_001));
    expect(records.map((r) => r.message.type)).toEqual(["MusicFest.Payments.PaymentDeclined.v1"]);
    expect(records[0].message.data).toEqual({ purchaseId: "p2", amountCents: 1_001, reason: "amount over the limit of 1000 cents" });
  });

  it("a duplicated or redelivered capture, or a second capture message, charges once and appends once", async () => {
    const { store, ledger, records, send } = setUp();
    await send(capture("p3", 700));
    expect(await send(capture("p3", 700))).toMatchObject({ status: "duplicate" });
    expect(await send(capture("p3", 700, "another-message-id"))).toMatchObject({ status: "unchanged" });
    expect((await store.readStream("payment-p3")).version).toBe(1);
    expect((await ledger.entriesOf("p3")).filter((e) => e.kind === "charge")).toHaveLength(1);
    expect(records).toHaveLength(1);
  });

  it("a transient gateway failure throws (Service Bus redelivers) and writes nothing; the redelivery captures", async () => {
    const draws = [0.1, 0.9];
    const { store, ledger, send } = setUp({ transientFailureRate: 0.5, random: () => draws.shift()! });
    await expect(send(capture("p4", 700))).rejects.toBeInstanceOf(TransientPaymentError);
    expect((await store.readStream("payment-p4")).version).toBe(0);
    expect(await ledger.entriesOf("p4")).toEqual([]);
    expect(await send(capture("p4", 700))).toMatchObject({ status: "handled" });
  });

  it("refunds a captured payment once: PaymentRefunded", async () => {
    const { records, ledger, send } = setUp();
    await send(capture("p5", 900));
    const paymentId = (records[0].message.data as { paymentId: string }).paymentId;
    expect(await send(refund("p5", paymentId, 900))).toMatchObject({ status: "handled", command: "RefundPayment", version: 2 });
    expect(await send(refund("p5", paymentId, 900))).toMatchObject({ status: "duplicate" });
    expect(records.map((r) => r.message.type)).toEqual(["MusicFest.Payments.PaymentCaptured.v1", "MusicFest.Payments.PaymentRefunded.v1"]);
    expect(records[1].message.data).toEqual({ purchaseId: "p5", paymentId, amountCents: 900, refundedAt: now.toISOString() });
    expect((await ledger.entriesOf("p5")).map((e) => e.kind).sort()).toEqual(["charge", "refund"]);
  });

  it("refuses a body that is not a payment command", async () => {
    const { send } = setUp();
    await expect(send({ hello: "world" })).rejects.toBeInstanceOf(InvalidMessageError);
    await expect(send(createMessage("ReleaseTickets", { concertId: "c", purchaseId: "p", reason: "sold-out" }, { correlationId: "x" }))).rejects.toThrow(/unexpected message type/);
  });
});
