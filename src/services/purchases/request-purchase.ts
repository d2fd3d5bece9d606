/**
 * The command side of `POST /api/purchases`: a validated request becomes a pending purchase in the read model (so
 * `GET /api/purchases/{id}` answers at once) and a TicketPurchaseRequested event on the purchases topic. If the
 * publish fails the purchase is removed from view again and the caller gets the error (the outbox issue replaces
 * this with an atomic write).
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { requested, type Purchase } from "../../domain/purchase.js";
import { createEvent } from "../../events/catalog.js";
import type { EventPublisher } from "../../messaging/service-bus-event-publisher.js";
import type { PurchaseReadModel } from "../../projections/purchase-read-model.js";

export const MAX_TICKETS_PER_PURCHASE = 8;

export const purchaseRequestSchema = z.strictObject({
  concertId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/, "must be 1 to 64 letters, digits or '-'"),
  fan: z.strictObject({
    id: z.string().min(1).max(64),
    email: z.email("must be an e-mail address"),
    name: z.string().min(1).max(200).optional(),
  }),
  tickets: z.number().int("must be a whole number").min(1, "must be at least 1").max(MAX_TICKETS_PER_PURCHASE, `must be at most ${MAX_TICKETS_PER_PURCHASE}`),
  paymentToken: z.string().min(1).max(100).optional(),
});
export type PurchaseRequest = z.output<typeof purchaseRequestSchema>;

export const DEFAULT_PAYMENT_TOKEN = "tok_visa";

export class PurchaseRequests {
  constructor(
    private readonly purchases: PurchaseReadModel,
    private readonly publisher: EventPublisher,
  ) {}

  async request(input: PurchaseRequest, correlationId: string, now = new Date()): Promise<Purchase> {
    const purchaseId = randomUUID();
    const data = {
      purchaseId,
      concertId: input.concertId,
      fan: input.fan,
      tickets: input.tickets,
      paymentToken: input.paymentToken ?? DEFAULT_PAYMENT_TOKEN,
      requestedAt: now.toISOString(),
    };
    const event = createEvent("TicketPurchaseRequested", data, { correlationId, subject: `purchases/${purchaseId}`, id: `${purchaseId}.requested`, time: now });
    const purchase = requested(data, correlationId);
    await this.purchases.add(purchase);
    try {
      await this.publisher.publish([event]);
    } catch (err) {
      await this.purchases.remove(purchaseId).catch(() => undefined);
      throw err;
    }
    return purchase;
  }
}
