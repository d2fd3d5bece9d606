import { describe, expect, it } from "vitest";
import { createMessage } from "../../../src/events/catalog.js";
import { purchaseCancelledMail, purchaseCompletedMail } from "../../../src/services/email/compose-mail.js";

const fan = { id: "fan-1", email: "fan@example.com" };

describe("mails for purchase outcomes", () => {
  it("a completed purchase: to the fan, with the tickets, amount and payment", () => {
    const mail = purchaseCompletedMail(
      createMessage("PurchaseCompleted", { purchaseId: "p1", concertId: "c1", fan, tier: "standard", quantity: 1, ticketIds: ["TKT-A"], totalCents: 4_550, paymentId: "pay_9", completedAt: "2026-06-01T18:00:00.000Z" }, { correlationId: "x" }),
    );
    expect(mail).toMatchObject({ to: "fan@example.com", fanId: "fan-1", purchaseId: "p1", subject: "Your tickets for concert c1" });
    expect(mail.body).toContain("Hello music fan,");
    expect(mail.body).toContain("1 ticket (standard) for EUR 45.50");
    expect(mail.body).toContain("Tickets: TKT-A");
    expect(mail.body).toContain("Payment: pay_9");
  });

  it.each([
    ["sold-out", false, "the concert is sold out in the tier you chose", "You have not been charged."],
    ["payment-declined", false, "your payment was declined", "You have not been charged."],
    ["reservation-expired", false, "your reservation expired", "You have not been charged."],
    ["tickets-unavailable", true, "could not issue your tickets", "refunded in full"],
  ] as const)("a purchase cancelled for %s says why and whether it was refunded", (reason, refunded, why, money) => {
    const mail = purchaseCancelledMail(
      createMessage("PurchaseCancelled", { purchaseId: "p2", concertId: "c1", fan: { ...fan, name: "Ada" }, tier: "vip", quantity: 2, reason, refunded, cancelledAt: "2026-06-01T18:00:00.000Z" }, { correlationId: "x" }),
    );
    expect(mail.body).toContain("Hello Ada,");
    expect(mail.body).toContain(why);
    expect(mail.body).toContain(money);
  });
});
