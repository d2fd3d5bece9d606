/** Purchase outcomes in the catalog's format, as the outbox relay mirrors them to `festival-events`. */
import { createMessage, type CatalogMessage } from "../../../src/events/catalog.js";

export interface Outcome {
  concertId: string;
  purchaseId: string;
  tier: "standard" | "vip";
  quantity: number;
  totalCents: number;
  at: string;
}

const fan = { id: "fan-1", email: "fan@example.com" };

/** PurchaseCompleted as the purchases handler appends it: id `<streamId>:<version>`, subject = stream id. */
export function completed(o: Outcome, version = 3): CatalogMessage<"PurchaseCompleted"> {
  const streamId = `purchase-${o.purchaseId}`;
  return createMessage(
    "PurchaseCompleted",
    { purchaseId: o.purchaseId, concertId: o.concertId, fan, tier: o.tier, quantity: o.quantity, ticketIds: [`t-${o.purchaseId}`], totalCents: o.totalCents, paymentId: `pay-${o.purchaseId}`, completedAt: o.at },
    { id: `${streamId}:${version}`, subject: streamId, correlationId: `corr-${o.purchaseId}` },
  );
}

export function cancelled(o: Omit<Outcome, "totalCents">, version = 4): CatalogMessage<"PurchaseCancelled"> {
  const streamId = `purchase-${o.purchaseId}`;
  return createMessage(
    "PurchaseCancelled",
    { purchaseId: o.purchaseId, concertId: o.concertId, fan, tier: o.tier, quantity: o.quantity, reason: "tickets-unavailable", refunded: true, cancelledAt: o.at },
    { id: `${streamId}:${version}`, subject: streamId, correlationId: `corr-${o.purchaseId}` },
  );
}

/** A PurchasePlaced: on the stream too, but no sale. */
export function placed(o: Outcome): CatalogMessage<"PurchasePlaced"> {
  const streamId = `purchase-${o.purchaseId}`;
  return createMessage(
    "PurchasePlaced",
    { purchaseId: o.purchaseId, concertId: o.concertId, fan, tier: o.tier, quantity: o.quantity, unitPriceCents: o.totalCents / o.quantity, totalCents: o.totalCents, placedAt: o.at },
    { id: `${streamId}:1`, subject: streamId, correlationId: `corr-${o.purchaseId}` },
  );
}

/** `count` purchases over a few concerts, tiers and minutes, deterministic. */
export function outcomes(count: number, prefix = "p", start = Date.parse("2026-07-01T20:00:00Z")): Outcome[] {
  return Array.from({ length: count }, (_, i) => {
    const tier = i % 3 === 0 ? ("vip" as const) : ("standard" as const);
    const quantity = (i % 4) + 1;
    return { concertId: `concert-${i % 3}`, purchaseId: `${prefix}-${i}`, tier, quantity, totalCents: quantity * (tier === "vip" ? 25_000 : 8_000), at: new Date(start + i * 17_000).toISOString() };
  });
}
