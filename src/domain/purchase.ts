/**
 * A purchase as the slice knows it: requested, then completed once both the payment is authorized and the tickets
 * are reserved, or declined when the payment is. Pure functions only: `requested` starts the state, `evolve` applies
 * a consumer's outcome (idempotently: a redelivered outcome changes nothing), `transition` says which terminal event
 * a change produces. The next issues turn this into an event-sourced aggregate and a saga.
 */
import type { EventData } from "../events/catalog.js";

export type PurchaseStatus = "pending" | "completed" | "declined";

export interface Fan {
  id: string;
  email: string;
  name?: string;
}

export interface Purchase {
  purchaseId: string;
  concertId: string;
  fan: Fan;
  tickets: number;
  status: PurchaseStatus;
  requestedAt: string;
  correlationId: string;
  payment?: { status: "authorized"; authorizationId: string; amountCents: number } | { status: "declined"; reason: string };
  reservation?: { ticketIds: string[] };
  completedAt?: string;
  declinedAt?: string;
}

export type Outcome =
  | { name: "PaymentAuthorized"; data: EventData<"PaymentAuthorized"> }
  | { name: "PaymentDeclined"; data: EventData<"PaymentDeclined"> }
  | { name: "TicketsReserved"; data: EventData<"TicketsReserved"> };

export function requested(data: EventData<"TicketPurchaseRequested">, correlationId: string): Purchase {
  return { purchaseId: data.purchaseId, concertId: data.concertId, fan: data.fan, tickets: data.tickets, status: "pending", requestedAt: data.requestedAt, correlationId };
}

export function evolve(purchase: Purchase, outcome: Outcome, at: Date): Purchase {
  if (purchase.status !== "pending") return purchase;
  let next: Purchase = purchase;
  switch (outcome.name) {
    case "PaymentAuthorized":
      if (!purchase.payment) next = { ...purchase, payment: { status: "authorized", authorizationId: outcome.data.authorizationId, amountCents: outcome.data.amountCents } };
      break;
    case "PaymentDeclined":
      if (!purchase.payment) next = { ...purchase, payment: { status: "declined", reason: outcome.data.reason } };
      break;
    case "TicketsReserved":
      if (!purchase.reservation) next = { ...purchase, reservation: { ticketIds: outcome.data.ticketIds } };
      break;
  }
  if (next.payment?.status === "declined") return { ...next, status: "declined", declinedAt: at.toISOString() };
  if (next.payment?.status === "authorized" && next.reservation) return { ...next, status: "completed", completedAt: at.toISOString() };
  return next;
}

/** The terminal event a change from `before` to `after` produces, if any. */
export function transition(
  before: Purchase,
  after: Purchase,
): { name: "PurchaseCompleted"; data: EventData<"PurchaseCompleted"> } | { name: "PurchaseDeclined"; data: EventData<"PurchaseDeclined"> } | undefined {
  if (before.status !== "pending") return undefined;
  if (after.status === "completed" && after.payment?.status === "authorized" && after.reservation) {
    return {
      name: "PurchaseCompleted",
      data: {
        purchaseId: after.purchaseId,
        concertId: after.concertId,
        fan: after.fan,
        ticketIds: after.reservation.ticketIds,
        authorizationId: after.payment.authorizationId,
        completedAt: after.completedAt!,
      },
    };
  }
  if (after.status === "declined" && after.payment?.status === "declined") {
    return { name: "PurchaseDeclined", data: { purchaseId: after.purchaseId, concertId: after.concertId, fan: after.fan, reason: after.payment.reason, declinedAt: after.declinedAt! } };
  }
  return undefined;
}
