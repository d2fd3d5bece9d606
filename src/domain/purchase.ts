/**
 * A purchase, the aggregate of stream `purchase-<purchaseId>`: placed (pending, priced from the concert), then
 * completed or cancelled by the purchase process. Completed and cancelled are terminal: a later Complete or Cancel
 * changes nothing, so a late or duplicated command cannot flip an outcome the fan was already told about.
 */
import type { MessageData } from "../events/catalog.js";
import type { ConcertState, TicketTier } from "./concert.js";
import { concertNotFound, purchaseConflict, purchaseNotFound } from "./errors.js";

export type PurchaseStatus = "pending" | "completed" | "cancelled";
export type CancellationReason = MessageData<"PurchaseCancelled">["reason"];

export interface Fan {
  id: string;
  email: string;
  name?: string;
}

export interface PurchaseState {
  purchaseId: string;
  concertId: string;
  fan: Fan;
  tier: TicketTier;
  quantity: number;
  unitPriceCents: number;
  totalCents: number;
  placedAt: string;
  status: PurchaseStatus;
  ticketIds?: string[];
  paymentId?: string;
  completedAt?: string;
  cancellation?: { reason: CancellationReason; detail?: string; refunded: boolean; cancelledAt: string };
}

/** Before PurchasePlaced the purchase does not exist. */
export type Purchase = PurchaseState | undefined;

export type PurchaseEventName = "PurchasePlaced" | "PurchaseCompleted" | "PurchaseCancelled";
export type PurchaseCommandName = "PlacePurchase" | "CompletePurchase" | "CancelPurchase";
export type PurchaseEvent = { [N in PurchaseEventName]: { name: N; data: MessageData<N> } }[PurchaseEventName];
export type PurchaseCommand = { [N in PurchaseCommandName]: { name: N; data: MessageData<N> } }[PurchaseCommandName];

export const purchaseEventNames: readonly PurchaseEventName[] = ["PurchasePlaced", "PurchaseCompleted", "PurchaseCancelled"];
export const purchaseCommandNames: readonly PurchaseCommandName[] = ["PlacePurchase", "CompletePurchase", "CancelPurchase"];

export function purchaseStreamId(purchaseId: string): string {
  return `purchase-${purchaseId}`;
}

/**
 * The events `command` causes. PlacePurchase needs the concert's prices (undefined: no such concert); the others
 * ignore them.
 * Placing a purchase that exists with the same details is a no-op (a client retrying with its Idempotency-Key).
 */
export function decidePurchase(purchase: Purchase, command: PurchaseCommand, now: Date, concert?: Pick<ConcertState, "prices">): PurchaseEvent[] {
  switch (command.name) {
    case "PlacePurchase": {
      const d = command.data;
      if (purchase) {
        if (purchase.concertId === d.concertId && purchase.fan.id === d.fan.id && purchase.tier === d.tier && purchase.quantity === d.quantity) return [];
        throw purchaseConflict(d.purchaseId);
      }
      if (!concert) throw concertNotFound(d.concertId);
      const unitPriceCents = concert.prices[d.tier];
      return [
        {
          name: "PurchasePlaced",
          data: { purchaseId: d.purchaseId, concertId: d.concertId, fan: { ...d.fan }, tier: d.tier, quantity: d.quantity, unitPriceCents, totalCents: unitPriceCents * d.quantity, placedAt: now.toISOString() },
        },
      ];
    }
    case "CompletePurchase": {
      const p = existing(purchase, command.data.purchaseId);
      if (p.status !== "pending") return [];
      const { ticketIds, paymentId } = command.data;
      return [
        {
          name: "PurchaseCompleted",
          data: { purchaseId: p.purchaseId, concertId: p.concertId, fan: p.fan, tier: p.tier, quantity: p.quantity, ticketIds: [...ticketIds], totalCents: p.totalCents, paymentId, completedAt: now.toISOString() },
        },
      ];
    }
    case "CancelPurchase": {
      const p = existing(purchase, command.data.purchaseId);
      if (p.status !== "pending") return [];
      const { reason, detail, refunded } = command.data;
      return [
        {
          name: "PurchaseCancelled",
          data: { purchaseId: p.purchaseId, concertId: p.concertId, fan: p.fan, tier: p.tier, quantity: p.quantity, reason, ...(detail === undefined ? {} : { detail }), refunded, cancelledAt: now.toISOString() },
        },
      ];
    }
  }
}

function existing(purchase: Purchase, purchaseId: string): PurchaseState {
  if (!purchase) throw purchaseNotFound(purchaseId);
  return purchase;
}

export function evolvePurchase(purchase: Purchase, event: PurchaseEvent): Purchase {
  switch (event.name) {
    case "PurchasePlaced": {
      if (purchase) return purchase;
      const d = event.data;
      return { purchaseId: d.purchaseId, concertId: d.concertId, fan: d.fan, tier: d.tier, quantity: d.quantity, unitPriceCents: d.unitPriceCents, totalCents: d.totalCents, placedAt: d.placedAt, status: "pending" };
    }
    case "PurchaseCompleted":
      if (!purchase || purchase.status !== "pending") return purchase;
      return { ...purchase, status: "completed", ticketIds: event.data.ticketIds, paymentId: event.data.paymentId, completedAt: event.data.completedAt };
    case "PurchaseCancelled": {
      if (!purchase || purchase.status !== "pending") return purchase;
      const { reason, detail, refunded, cancelledAt } = event.data;
      return { ...purchase, status: "cancelled", cancellation: { reason, ...(detail === undefined ? {} : { detail }), refunded, cancelledAt } };
    }
  }
}

export function foldPurchase(purchase: Purchase, events: Iterable<PurchaseEvent>): Purchase {
  let state = purchase;
  for (const event of events) state = evolvePurchase(state, event);
  return state;
}
