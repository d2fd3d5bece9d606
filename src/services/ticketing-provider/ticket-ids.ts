/**
 * The simulated provider's ids, derived from the purchase: the same purchase always gets the same tickets and the
 * same reference, which makes issuing idempotent on the purchase id without the provider keeping any state.
 */
import { createHash } from "node:crypto";

function digest(text: string, length: number): string {
  return createHash("sha256").update(text).digest("hex").slice(0, length).toUpperCase();
}

export function ticketIdsFor(purchaseId: string, concertId: string, quantity: number): string[] {
  return Array.from({ length: quantity }, (_, i) => `TKT-${digest(`${concertId}\n${purchaseId}\n${i}`, 12)}`);
}

export function providerReferenceFor(purchaseId: string): string {
  return `TP-${digest(purchaseId, 16)}`;
}
