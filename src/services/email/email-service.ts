/**
 * The e-mail service (choreography: nobody commands it; it reacts to PurchaseCompleted and PurchaseCancelled on the
 * `email` subscription of the `events` topic). One mail per event; the inbox entry written with it makes a
 * redelivered or duplicated event a no-op. A body that is not one of those events throws InvalidMessageError, so
 * Service Bus retries it and dead-letters it after MaxDeliveryCount.
 */
import { type CatalogMessage, readMessage } from "../../events/catalog.js";
import { purchaseCancelledMail, purchaseCompletedMail } from "./compose-mail.js";
import type { MailOutbox } from "./mail-outbox.js";

export const EMAIL_CONSUMER = "email";

export type EmailOutcome = { written: true; eventId: string } | { written: false; eventId: string; reason: "duplicate" };

export class EmailService {
  constructor(
    private readonly outbox: MailOutbox,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * `messageId` is the Service Bus MessageId when the trigger has one; the relay sets it to the CloudEvent id, which
   * is the default, so the inbox recognises the event however it arrives.
   */
  async handle(body: unknown, delivery: { messageId?: string } = {}): Promise<EmailOutcome> {
    const { name, message } = readMessage(body, ["PurchaseCompleted", "PurchaseCancelled"]);
    const mail = name === "PurchaseCompleted" ? purchaseCompletedMail(message as CatalogMessage<"PurchaseCompleted">) : purchaseCancelledMail(message as CatalogMessage<"PurchaseCancelled">);
    const written = await this.outbox.writeOnce(
      { ...mail, eventId: message.id, eventType: message.type, correlationId: message.correlationid, createdAt: this.now().toISOString() },
      { consumer: EMAIL_CONSUMER, messageId: delivery.messageId ?? message.id },
    );
    return written ? { written: true, eventId: message.id } : { written: false, eventId: message.id, reason: "duplicate" };
  }
}
