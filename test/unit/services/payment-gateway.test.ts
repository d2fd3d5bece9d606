import { describe, expect, it } from "vitest";
import { InMemoryPaymentLedger } from "../../../src/services/payment/payment-ledger.js";
import { PaymentRejectedError, SimulatedPaymentGateway, TransientPaymentError } from "../../../src/services/payment/simulated-payment-gateway.js";

const fixedNow = () => new Date("2026-06-01T10:00:00.000Z");

describe("simulated payment gateway", () => {
  it("captures an amount up to the limit and records one charge", async () => {
    const ledger = new InMemoryPaymentLedger();
    const gateway = new SimulatedPaymentGateway(ledger, { declineOverCents: 10_000, now: fixedNow });
    const result = await gateway.charge({ purchaseId: "p1", fanId: "fan-1", amountCents: 10_000 });
    expect(result).toMatchObject({ status: "captured", amountCents: 10_000, capturedAt: "2026-06-01T10:00:00.000Z" });
    expect(await ledger.entriesOf("p1")).toEqual([expect.objectContaining({ kind: "charge", status: "captured", amountCents: 10_000, fanId: "fan-1" })]);
  });

  it("declines an amount over the limit", async () => {
    const gateway = new SimulatedPaymentGateway(new InMemoryPaymentLedger(), { declineOverCents: 10_000 });
    const result = await gateway.charge({ purchaseId: "p2", fanId: "fan-1", amountCents: 10_001 });
    expect(result).toEqual({ status: "declined", amountCents: 10_001, reason: "amount over the limit of 10000 cents" });
  });

  it("answers a retried charge with the first result and charges once", async () => {
    const ledger = new InMemoryPaymentLedger();
    let clock = 0;
    const gateway = new SimulatedPaymentGateway(ledger, { now: () => new Date(Date.UTC(2026, 0, 1, 0, 0, clock++)) });
    const first = await gateway.charge({ purchaseId: "p3", fanId: "fan-1", amountCents: 500 });
    const again = await gateway.charge({ purchaseId: "p3", fanId: "fan-1", amountCents: 500 });
    expect(again).toEqual(first);
    const concurrent = await Promise.all([1, 2, 3].map(() => gateway.charge({ purchaseId: "p4", fanId: "fan-1", amountCents: 700 })));
    expect(new Set(concurrent.map((r) => JSON.stringify(r))).size).toBe(1);
    expect((await ledger.entriesOf("p3")).filter((e) => e.kind === "charge")).toHaveLength(1);
    expect((await ledger.entriesOf("p4")).filter((e) => e.kind === "charge")).toHaveLength(1);
  });

  it("refuses the same idempotency key with another amount", async () => {
    const gateway = new SimulatedPaymentGateway(new InMemoryPaymentLedger());
    await gateway.charge({ purchaseId: "p5", fanId: "fan-1", amountCents: 500 });
    await expect(gateway.charge({ purchaseId: "p5", fanId: "fan-1", amountCents: 900 })).rejects.toBeInstanceOf(PaymentRejectedError);
  });

  it("fails transiently at the configured rate without recording anything, then succeeds", async () => {
    const ledger = new InMemoryPaymentLedger();
    const draws = [0.1, 0.9];
    const gateway = new SimulatedPaymentGateway(ledger, { transientFailureRate: 0.5, random: () => draws.shift()! });
    await expect(gateway.charge({ purchaseId: "p6", fanId: "fan-1", amountCents: 500 })).rejects.toBeInstanceOf(TransientPaymentError);
    expect(await ledger.entriesOf("p6")).toEqual([]);
    await expect(gateway.charge({ purchaseId: "p6", fanId: "fan-1", amountCents: 500 })).resolves.toMatchObject({ status: "captured" });
  });

  it("never fails at rate 0 and always fails at rate 1", async () => {
    const never = new SimulatedPaymentGateway(new InMemoryPaymentLedger(), { transientFailureRate: 0, random: () => 0 });
    await expect(never.charge({ purchaseId: "p7", fanId: "f", amountCents: 1 })).resolves.toMatchObject({ status: "captured" });
    const always = new SimulatedPaymentGateway(new InMemoryPaymentLedger(), { transientFailureRate: 1, random: () => 0.999 });
    await expect(always.charge({ purchaseId: "p7", fanId: "f", amountCents: 1 })).rejects.toBeInstanceOf(TransientPaymentError);
    expect(() => new SimulatedPaymentGateway(new InMemoryPaymentLedger(), { transientFailureRate: 2 })).toThrow(RangeError);
  });

  it("refunds a captured payment once and refuses a refund of nothing", async () => {
    const ledger = new InMemoryPaymentLedger();
    const gateway = new SimulatedPaymentGateway(ledger, { now: fixedNow });
    const charge = await gateway.charge({ purchaseId: "p8", fanId: "fan-1", amountCents: 800 });
    if (charge.status !== "captured") throw new Error("expected a capture");
    const refund = await gateway.refund({ purchaseId: "p8", paymentId: charge.paymentId, amountCents: 800 });
    expect(refund).toEqual({ paymentId: charge.paymentId, amountCents: 800, refundedAt: "2026-06-01T10:00:00.000Z" });
    expect(await gateway.refund({ purchaseId: "p8", paymentId: charge.paymentId, amountCents: 800 })).toEqual(refund);
    expect((await ledger.entriesOf("p8")).map((e) => e.kind).sort()).toEqual(["charge", "refund"]);
    await expect(gateway.refund({ purchaseId: "nothing", paymentId: "pay_x", amountCents: 1 })).rejects.toBeInstanceOf(PaymentRejectedError);
    await expect(gateway.refund({ purchaseId: "p8", paymentId: "pay_other", amountCents: 1 })).rejects.toThrow(/already|used for a refund of 800/);
  });
});
