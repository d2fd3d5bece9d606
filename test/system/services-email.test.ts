/**
 * The e-mail service as a choreographed, idempotent consumer of the `events` topic (real SDK, emulator, Azurite):
 * one mail per purchase outcome in Table `mails`, however many times the event arrives.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMessage } from "../../src/events/catalog.js";
import { EmailService } from "../../src/services/email/email-service.js";
import { MailOutbox, readMails } from "../../src/services/email/mail-outbox.js";
import { LazyTable } from "../../src/storage/table-client.js";
import { sendWith } from "../helpers/servicebus.js";
import { busMessage, runConsumer, type ServicesStack, startServicesStack } from "./services-harness.js";

let stack: ServicesStack;
let consumer: ReturnType<typeof runConsumer>;
const crashAfterWrite = new Set<string>();

beforeAll(async () => {
  stack = await startServicesStack();
  const email = new EmailService(new MailOutbox(new LazyTable(stack.table("mails"))));
  consumer = runConsumer(stack.client, "events", "email", async (body, message) => {
    const outcome = await email.handle(body, { messageId: String(message.messageId) });
    if (crashAfterWrite.delete(String(message.messageId))) throw new Error("the host died before completing the message");
    return outcome;
  });
});
afterAll(async () => {
  await consumer?.close();
  await stack?.close();
});

const fan = { id: "fan-7", email: "ada@example.com", name: "Ada" };
const completed = (purchaseId: string) =>
  createMessage(
    "PurchaseCompleted",
    { purchaseId, concertId: "c1", fan, tier: "vip", quantity: 2, ticketIds: ["TKT-1", "TKT-2"], totalCents: 30_000, paymentId: "pay_1", completedAt: "2026-06-01T18:00:00.000Z" },
    { id: `purchase-${purchaseId}:3`, correlationId: `corr-${purchaseId}` },
  );

describe("e-mail service", () => {
  it("writes one mail for a PurchaseCompleted delivered twice, redelivered and sent again under another MessageId", async () => {
    const event = completed("mail-1");
    crashAfterWrite.add(event.id);
    const before = consumer.deliveries.length;
    await sendWith(stack.client, "events", busMessage(event));
    await sendWith(stack.client, "events", busMessage(event)); // dropped by duplicate detection
    await sendWith(stack.client, "events", busMessage(event, "re-published-later"));
    await consumer.handled(before + 3);
    expect(consumer.deliveries.slice(before).map((d) => [d.outcome, (d.result as { written?: boolean } | undefined)?.written])).toEqual([
      ["abandoned", undefined],
      ["completed", false],
      ["completed", false],
    ]);
    const mails = await readMails(stack.table("mails"), "mail-1");
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ to: "ada@example.com", fanId: "fan-7", purchaseId: "mail-1", eventId: event.id, correlationId: "corr-mail-1", subject: "Your tickets for concert c1" });
    expect(mails[0].body).toContain("TKT-1, TKT-2");
    expect(mails[0].body).toContain("EUR 300.00");
  });

  it("writes a cancellation mail with the reason and whether the fan was refunded", async () => {
    const event = createMessage(
      "PurchaseCancelled",
      { purchaseId: "mail-2", concertId: "c1", fan, tier: "standard", quantity: 1, reason: "tickets-unavailable", refunded: true, cancelledAt: "2026-06-01T18:00:00.000Z" },
      { id: "purchase-mail-2:2", correlationId: "corr-mail-2" },
    );
    const before = consumer.deliveries.length;
    await sendWith(stack.client, "events", busMessage(event));
    await consumer.handled(before + 1);
    const [mail] = await readMails(stack.table("mails"), "mail-2");
    expect(mail.subject).toBe("Your purchase for concert c1 was cancelled");
    expect(mail.body).toContain("the ticketing provider could not issue your tickets");
    expect(mail.body).toContain("refunded in full");
  });

  it("writes mail and inbox entry together: the refused duplicate left neither", async () => {
    const rows: string[] = [];
    for await (const row of stack.table("mails").listEntities({ queryOptions: { filter: "PartitionKey eq 'mail-1'" } })) rows.push(row.rowKey!);
    expect(rows.sort()).toEqual(["inbox:email:purchase-mail-1:3", "mail:purchase-mail-1:3"]);
  });
});
