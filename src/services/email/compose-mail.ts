/**
 * The mail a fan gets for a purchase's outcome: pure, so the text can be tested without a table.
 */
import type { CatalogMessage } from "../../events/catalog.js";

export interface Mail {
  to: string;
  fanId: string;
  /** The purchase the mail is about; absent for a fan's own mails (welcome). */
  purchaseId?: string;
  subject: string;
  body: string;
}

const reasons: Record<CatalogMessage<"PurchaseCancelled">["data"]["reason"], string> = {
  "sold-out": "the concert is sold out in the tier you chose",
  "payment-declined": "your payment was declined",
  "tickets-unavailable": "the ticketing provider could not issue your tickets",
  "reservation-expired": "your reservation expired before the payment went through",
};

function euros(cents: number): string {
  return `EUR ${(cents / 100).toFixed(2)}`;
}

function greeting(fan: { name?: string | undefined }): string {
  return `Hello ${fan.name ?? "music fan"},`;
}

export function purchaseCompletedMail(event: CatalogMessage<"PurchaseCompleted">): Mail {
  const d = event.data;
  const seats = d.quantity === 1 ? "1 ticket" : `${d.quantity} tickets`;
  return {
    to: d.fan.email,
    fanId: d.fan.id,
    purchaseId: d.purchaseId,
    subject: `Your tickets for concert ${d.concertId}`,
    body: [
      greeting(d.fan),
      "",
      `your purchase ${d.purchaseId} is complete: ${seats} (${d.tier}) for ${euros(d.totalCents)}.`,
      `Tickets: ${d.ticketIds.join(", ")}`,
      `Payment: ${d.paymentId}`,
      "",
      "See you at the festival!",
    ].join("\n"),
  };
}

export function purchaseCancelledMail(event: CatalogMessage<"PurchaseCancelled">): Mail {
  const d = event.data;
  return {
    to: d.fan.email,
    fanId: d.fan.id,
    purchaseId: d.purchaseId,
    subject: `Your purchase for concert ${d.concertId} was cancelled`,
    body: [
      greeting(d.fan),
      "",
      `we are sorry: your purchase ${d.purchaseId} was cancelled because ${reasons[d.reason]}.`,
      ...(d.detail ? [d.detail] : []),
      d.refunded ? "Your payment has been refunded in full." : "You have not been charged.",
    ].join("\n"),
  };
}

/** The welcome mail for a new fan, from the details the fans API gave (FanRegistered itself carries only the id). */
export function welcomeMail(fan: { fanId: string; email: string; name: string }): Mail {
  return {
    to: fan.email,
    fanId: fan.fanId,
    subject: "Welcome to Music Fest",
    body: [greeting(fan), "", "your fan account is ready: you can now buy tickets with your fan id.", `Fan id: ${fan.fanId}`, "", "See you at the festival!"].join("\n"),
  };
}
