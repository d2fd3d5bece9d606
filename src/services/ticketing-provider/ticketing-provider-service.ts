/**
 * The ticketing-provider consumer: for each TicketPurchaseRequested it reserves the tickets with the provider and
 * publishes TicketsReserved. Locally the provider is simulated: ticket ids are derived from the purchase, so a
 * redelivered request reserves the same tickets again instead of new ones.
 */
import { createHash } from "node:crypto";
import { type CatalogEvent, createEvent } from "../../events/catalog.js";
import type { EventPublisher } from "../../messaging/service-bus-event-publisher.js";

export function ticketIdsFor(purchaseId: string, concertId: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const digest = createHash("sha256").update(`${concertId}:${purchaseId}:${i}`).digest("hex").slice(0, 12).toUpperCase();
    return `TKT-${digest}`;
  });
}

export class TicketingProviderService {
  constructor(private readonly publisher: EventPublisher) {}

  async handle(request: CatalogEvent<"TicketPurchaseRequested">): Promise<CatalogEvent<"TicketsReserved">> {
    const { purchaseId, concertId, tickets } = request.data;
    const reserved = createEvent(
      "TicketsReserved",
      { purchaseId, ticketIds: ticketIdsFor(purchaseId, concertId, tickets) },
      { correlationId: request.correlationid, subject: `purchases/${purchaseId}`, id: `${purchaseId}.tickets` },
    );
    await this.publisher.publish([reserved]);
    return reserved;
  }
}
