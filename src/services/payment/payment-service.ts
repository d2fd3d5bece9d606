/**
 * The payment consumer: for each TicketPurchaseRequested it asks the gateway to authorize the amount and publishes
 * PaymentAuthorized or PaymentDeclined, with an id derived from the purchase so a redelivery re-sends a duplicate
 * rather than a second, different outcome.
 */
import { type CatalogEvent, createEvent } from "../../events/catalog.js";
import type { EventPublisher } from "../../messaging/service-bus-event-publisher.js";
import type { PaymentGateway } from "./payment-gateway.js";

/** The slice has no concert catalog yet: every ticket costs the same. */
export const TICKET_PRICE_CENTS = 5_000;

export class PaymentService {
  constructor(
    private readonly gateway: PaymentGateway,
    private readonly publisher: EventPublisher,
  ) {}

  async handle(request: CatalogEvent<"TicketPurchaseRequested">): Promise<CatalogEvent<"PaymentAuthorized" | "PaymentDeclined">> {
    const { purchaseId, tickets, paymentToken } = request.data;
    const amountCents = tickets * TICKET_PRICE_CENTS;
    const result = await this.gateway.authorize({ purchaseId, amountCents, paymentToken });
    const options = { correlationId: request.correlationid, subject: `purchases/${purchaseId}`, id: `${purchaseId}.payment` };
    const outcome = result.authorized
      ? createEvent("PaymentAuthorized", { purchaseId, authorizationId: result.authorizationId, amountCents }, options)
      : createEvent("PaymentDeclined", { purchaseId, reason: result.reason }, options);
    await this.publisher.publish([outcome]);
    return outcome;
  }
}
