/**
 * The simulated card gateway the payment service charges through. It behaves as a real gateway's idempotent API
 * (Stripe's Idempotency-Key, Adyen's idempotency key) does, with the purchase id as the key:
 *   - a charge is approved, or declined when the amount is over `declineOverCents`;
 *   - at `transientFailureRate` it fails before processing anything (a timeout, a 503): the caller retries, here by
 *     throwing so that Service Bus redelivers the command;
 *   - a retried charge (or refund) returns the first result and never charges twice; the same key with another
 *     amount is refused, as it would be a different request under a reused key.
 */
import { createHash } from "node:crypto";
import type { LedgerEntry, PaymentLedger } from "./payment-ledger.js";
import { currentTime } from "../../clock.js";

export interface PaymentGatewayOptions {
  /** Charges over this amount are declined (default 100000, i.e. 1000.00). */
  declineOverCents?: number;
  /** Probability in [0, 1] that a call fails transiently (default 0). */
  transientFailureRate?: number;
  /** Injectable for tests; Math.random by default. */
  random?: () => number;
  now?: () => Date;
}

export type ChargeResult = { status: "captured"; paymentId: string; amountCents: number; capturedAt: string } | { status: "declined"; amountCents: number; reason: string };
export interface RefundResult {
  paymentId: string;
  amountCents: number;
  refundedAt: string;
}

/** The gateway could not process the request this time (retry later); nothing was charged. */
export class TransientPaymentError extends Error {
  readonly transient = true;
  constructor(message: string) {
    super(message);
    this.name = "TransientPaymentError";
  }
}

/** The gateway refuses the request for good (retrying cannot help): a reused key, a refund of an unknown payment. */
export class PaymentRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PaymentRejectedError";
  }
}

export const DEFAULT_DECLINE_OVER_CENTS = 100_000;

export function paymentIdFor(purchaseId: string): string {
  return `pay_${createHash("sha256").update(purchaseId).digest("hex").slice(0, 24)}`;
}

export class SimulatedPaymentGateway {
  private readonly declineOverCents: number;
  private readonly transientFailureRate: number;
  private readonly random: () => number;
  private readonly now: () => Date;

  constructor(
    private readonly ledger: PaymentLedger,
    options: PaymentGatewayOptions = {},
  ) {
    this.declineOverCents = options.declineOverCents ?? DEFAULT_DECLINE_OVER_CENTS;
    this.transientFailureRate = options.transientFailureRate ?? 0;
    if (!(this.transientFailureRate >= 0 && this.transientFailureRate <= 1)) throw new RangeError(`transientFailureRate must be between 0 and 1, got ${options.transientFailureRate}`);
    this.random = options.random ?? Math.random;
    this.now = options.now ?? (() => currentTime());
  }

  async charge(request: { purchaseId: string; fanId: string; amountCents: number }): Promise<ChargeResult> {
    const previous = await this.ledger.find(request.purchaseId, "charge");
    if (previous) return this.chargeResult(this.sameRequest(previous, request.amountCents));
    this.maybeFail("charge", request.purchaseId);
    const at = this.now().toISOString();
    const entry: LedgerEntry =
      request.amountCents > this.declineOverCents
        ? { purchaseId: request.purchaseId, kind: "charge", status: "declined", fanId: request.fanId, amountCents: request.amountCents, reason: `amount over the limit of ${this.declineOverCents} cents`, at }
        : { purchaseId: request.purchaseId, kind: "charge", status: "captured", paymentId: paymentIdFor(request.purchaseId), fanId: request.fanId, amountCents: request.amountCents, at };
    // A concurrent attempt may have recorded first: whatever is in the ledger is the answer.
    const { entry: recorded } = await this.ledger.recordOnce(entry);
    return this.chargeResult(this.sameRequest(recorded, request.amountCents));
  }

  async refund(request: { purchaseId: string; paymentId: string; amountCents: number }): Promise<RefundResult> {
    const previous = await this.ledger.find(request.purchaseId, "refund");
    if (previous) return this.refundResult(this.sameRequest(previous, request.amountCents));
    const charge = await this.ledger.find(request.purchaseId, "charge");
    if (!charge || charge.status !== "captured" || charge.paymentId !== request.paymentId) {
      throw new PaymentRejectedError(`No captured payment ${request.paymentId} for purchase ${request.purchaseId} to refund.`);
    }
    if (request.amountCents > charge.amountCents) throw new PaymentRejectedError(`Refund of ${request.amountCents} cents exceeds the ${charge.amountCents} cents captured by ${request.paymentId}.`);
    this.maybeFail("refund", request.purchaseId);
    const { entry } = await this.ledger.recordOnce({ purchaseId: request.purchaseId, kind: "refund", status: "refunded", paymentId: request.paymentId, amountCents: request.amountCents, at: this.now().toISOString() });
    return this.refundResult(this.sameRequest(entry, request.amountCents));
  }

  private maybeFail(operation: string, purchaseId: string): void {
    if (this.transientFailureRate > 0 && this.random() < this.transientFailureRate) {
      throw new TransientPaymentError(`The payment gateway timed out on the ${operation} of purchase ${purchaseId}; nothing was processed, retry later.`);
    }
  }

  private sameRequest(entry: LedgerEntry, amountCents: number): LedgerEntry {
    if (entry.amountCents !== amountCents) {
      throw new PaymentRejectedError(`Idempotency key ${entry.purchaseId} was used for a ${entry.kind} of ${entry.amountCents} cents; this request asks for ${amountCents}.`);
    }
    return entry;
  }

  private chargeResult(entry: LedgerEntry): ChargeResult {
    return entry.status === "captured"
      ? { status: "captured", paymentId: entry.paymentId!, amountCents: entry.amountCents, capturedAt: entry.at }
      : { status: "declined", amountCents: entry.amountCents, reason: entry.reason ?? "declined" };
  }

  private refundResult(entry: LedgerEntry): RefundResult {
    return { paymentId: entry.paymentId!, amountCents: entry.amountCents, refundedAt: entry.at };
  }
}
