/**
 * The slice's process manager: it joins the consumers' outcomes for a purchase in the read model and, when the
 * purchase reaches a terminal state, publishes PurchaseCompleted (or PurchaseDeclined) to Event Grid, with an id
 * derived from the purchase. If the publish fails after the read model was updated, the outcome message is
 * abandoned and redelivered; a redelivery finds the purchase already terminal and publishes again (same event id,
 * which the notification consumer absorbs). A first delivery that changes nothing publishes nothing, so the late
 * TicketsReserved of a declined purchase does not notify the fan twice.
 */
import { type CatalogEvent, createEvent } from "../events/catalog.js";
import { evolve, type Outcome, type Purchase, transition } from "../domain/purchase.js";
import type { EventPublisher } from "../messaging/service-bus-event-publisher.js";
import type { PurchaseReadModel } from "../projections/purchase-read-model.js";

export class PurchaseProcess {
  constructor(
    private readonly purchases: PurchaseReadModel,
    private readonly notifications: EventPublisher,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async handle(outcome: Outcome, options: { correlationId: string; redelivered: boolean }): Promise<{ purchase: Purchase; published?: CatalogEvent }> {
    const { before, after } = await this.purchases.update(outcome.data.purchaseId, (current) => evolve(current, outcome, this.now()));
    const changed = transition(before, after);
    const terminal = changed ?? (options.redelivered && after.status !== "pending" ? transition({ ...after, status: "pending" }, after) : undefined);
    if (!terminal) return { purchase: after };
    const eventOptions = { correlationId: options.correlationId, subject: `purchases/${after.purchaseId}`, id: `${after.purchaseId}.${terminal.name}` };
    const published = terminal.name === "PurchaseCompleted" ? createEvent("PurchaseCompleted", terminal.data, eventOptions) : createEvent("PurchaseDeclined", terminal.data, eventOptions);
    await this.notifications.publish([published]);
    return { purchase: after, published };
  }
}
