/**
 * The payment of a purchase, stream `payment-<purchaseId>`: what the payment service told the rest of the system
 * (captured or declined, then maybe refunded). Deciding is pure: given the stream's state, the command and the
 * gateway's answer, which events to append. An outcome is final: a second CapturePayment (another message, a retry
 * after the first was committed) appends nothing, so the purchase process hears about a payment once.
 */
import type { MessageData } from "../../events/catalog.js";
import type { StreamDefinition, StreamEvent } from "../../eventstore/stream-repository.js";
import type { NewEvent } from "../../messaging/message-consumer.js";
import type { ChargeResult, RefundResult } from "./simulated-payment-gateway.js";

export type PaymentEventName = "PaymentCaptured" | "PaymentDeclined" | "PaymentRefunded";
export type PaymentCommandName = "CapturePayment" | "RefundPayment";
export const paymentEventNames: readonly PaymentEventName[] = ["PaymentCaptured", "PaymentDeclined", "PaymentRefunded"];
export const paymentCommandNames: readonly PaymentCommandName[] = ["CapturePayment", "RefundPayment"];

export interface PaymentState {
  captured?: { paymentId: string; amountCents: number; capturedAt: string };
  declined?: { amountCents: number; reason: string };
  refunded?: { paymentId: string; amountCents: number; refundedAt: string };
}

export function evolvePayment(state: PaymentState, event: StreamEvent<PaymentEventName>): PaymentState {
  switch (event.name) {
    case "PaymentCaptured":
      return { ...state, captured: { paymentId: event.data.paymentId, amountCents: event.data.amountCents, capturedAt: event.data.capturedAt } };
    case "PaymentDeclined":
      return { ...state, declined: { amountCents: event.data.amountCents, reason: event.data.reason } };
    case "PaymentRefunded":
      return { ...state, refunded: { paymentId: event.data.paymentId, amountCents: event.data.amountCents, refundedAt: event.data.refundedAt } };
  }
}

export const paymentStream: StreamDefinition<PaymentState, PaymentEventName> = {
  prefix: "payment-",
  eventNames: paymentEventNames,
  snapshotSchemaVersion: 1,
  initial: () => ({}),
  evolve: evolvePayment,
};

/** Whether the command's outcome is already in the stream (then the gateway need not be asked again). */
export function alreadyDecided(state: PaymentState, command: PaymentCommandName): boolean {
  return command === "CapturePayment" ? Boolean(state.captured || state.declined) : Boolean(state.refunded);
}

export function decideCapture(state: PaymentState, command: MessageData<"CapturePayment">, result: ChargeResult | undefined): NewEvent<PaymentEventName>[] {
  if (alreadyDecided(state, "CapturePayment")) return [];
  if (!result) throw new Error(`No gateway answer for the capture of purchase ${command.purchaseId}.`);
  return result.status === "captured"
    ? [{ name: "PaymentCaptured", data: { purchaseId: command.purchaseId, paymentId: result.paymentId, amountCents: result.amountCents, capturedAt: result.capturedAt } }]
    : [{ name: "PaymentDeclined", data: { purchaseId: command.purchaseId, amountCents: result.amountCents, reason: result.reason } }];
}

export function decideRefund(state: PaymentState, command: MessageData<"RefundPayment">, result: RefundResult | undefined): NewEvent<PaymentEventName>[] {
  if (alreadyDecided(state, "RefundPayment")) return [];
  if (!result) throw new Error(`No gateway answer for the refund of purchase ${command.purchaseId}.`);
  return [{ name: "PaymentRefunded", data: { purchaseId: command.purchaseId, paymentId: result.paymentId, amountCents: result.amountCents, refundedAt: result.refundedAt } }];
}
