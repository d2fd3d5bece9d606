/**
 * The payment provider as the slice sees it: authorize an amount against a payment token. Locally this is a
 * simulated provider with card-network-style test tokens (any token authorizes, except the two decline tokens),
 * deterministic so that a redelivered request gets the same answer and the same authorization id.
 */
import { createHash } from "node:crypto";

export type AuthorizationResult = { authorized: true; authorizationId: string } | { authorized: false; reason: string };

export interface PaymentGateway {
  authorize(request: { purchaseId: string; amountCents: number; paymentToken: string }): Promise<AuthorizationResult>;
}

export const DECLINING_TOKENS: Record<string, string> = {
  tok_chargeDeclined: "card_declined",
  tok_chargeDeclinedInsufficientFunds: "insufficient_funds",
};

export class SimulatedPaymentGateway implements PaymentGateway {
  async authorize(request: { purchaseId: string; amountCents: number; paymentToken: string }): Promise<AuthorizationResult> {
    const reason = DECLINING_TOKENS[request.paymentToken];
    if (reason) return { authorized: false, reason };
    const digest = createHash("sha256").update(`${request.purchaseId}:${request.amountCents}`).digest("hex").slice(0, 24);
    return { authorized: true, authorizationId: `auth_${digest}` };
  }
}
