/**
 * The e-mail service (choreography: nobody commands it; it reacts to PurchaseCompleted and PurchaseCancelled on the
 * `email` subscription of the `events` topic). One mail per event; the inbox entry written with it makes a
 * redelivered or duplicated event a no-op. A body that is not one of those events throws InvalidMessageError, so
 * Service Bus retries it and dead-letters it after MaxDeliveryCount.
 * FanRegistered (event notification: it carries only the fan's id) gets a welcome mail with the name and e-mail the
 * fans API answers at that moment; while the fans API is down the handling throws, so the event is redelivered and,
 * after MaxDeliveryCount, dead-lettered (resubmit it once the API is back): never dropped.
 */
import { type CatalogMessage, readMessage } from "../../events/catalog.js";
import { type Mail, purchaseCancelledMail, purchaseCompletedMail, welcomeMail } from "./compose-mail.js";
import type { FanDetailsSource } from "./fans-api-client.js";
import type { MailOutbox } from "./mail-outbox.js";
import { currentTime } from "../../clock.js";

export const EMAIL_CONSUMER = "email";

export type EmailOutcome = { written: true; eventId: string } | { written: false; eventId: string; reason: "duplicate" };

export class EmailService {
  constructor(
    private readonly outbox: MailOutbox,
    private readonly now: () => Date = () => currentTime(),
    /** The fans API, for FanRegistered; without it a FanRegistered fails (and is retried). */
    private readonly fans?: FanDetailsSource,
  ) {}

  /**
   * `messageId` is the Service Bus MessageId when the trigger has one; the relay sets it to the CloudEvent id, which
   * is the default, so the inbox recognises the event however it arrives.
   */
  async handle(body: unknown, delivery: { messageId?: string } = {}): Promise<EmailOutcome> {
    const { name, message } = readMessage(body, ["PurchaseCompleted", "PurchaseCancelled", "FanRegistered"]);
    let mail: Mail;
    if (name === "FanRegistered") mail = await this.welcome(message as CatalogMessage<"FanRegistered">);
    else mail = name === "PurchaseCompleted" ? purchaseCompletedMail(message as CatalogMessage<"PurchaseCompleted">) : purchaseCancelledMail(message as CatalogMessage<"PurchaseCancelled">);
    const written = await this.outbox.writeOnce(
      { ...mail, eventId: message.id, eventType: message.type, correlationId: message.correlationid, createdAt: this.now().toISOString() },
      { consumer: EMAIL_CONSUMER, messageId: delivery.messageId ?? message.id },
    );
    return written ? { written: true, eventId: message.id } : { written: false, eventId: message.id, reason: "duplicate" };
  }

  private async welcome(event: CatalogMessage<"FanRegistered">): Promise<Mail> {
    if (!this.fans) throw new Error("The e-mail service has no fans API client; it cannot write a welcome mail.");
    const headers: Record<string, string> = { "x-correlation-id": event.correlationid, ...(event.traceparent ? { traceparent: event.traceparent } : {}) };
    return welcomeMail(await this.fans.getFan(event.data.fanId, headers));
  }
}
