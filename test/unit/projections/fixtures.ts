/** Events of real streams for the projection tests: committed to an in-memory event store as the handlers do. */
import { createMessage, type MessageData, type MessageName } from "../../../src/events/catalog.js";
import type { CloudEvent } from "../../../src/events/envelope.js";
import { InMemoryEventStore } from "../../../src/eventstore/in-memory-event-store.js";

export type NewEvent = { [N in MessageName]: { name: N; data: MessageData<N> } }[MessageName];

export const concertId = "rock-night";
export const fan = { id: "fan-1", email: "ada@example.com", name: "Ada" };
const at = "2026-05-01T10:00:00.000Z";

export const scheduled = (capacity = { standard: 10, vip: 2 }): NewEvent => ({
  name: "ConcertScheduled",
  data: { concertId, name: "Rock Night", venue: "Main Stage", startsAt: "2026-07-01T20:00:00.000Z", capacity, prices: { standard: 5_000, vip: 15_000 } },
});
export const reserved = (purchaseId: string, tier: "standard" | "vip", quantity: number): NewEvent => ({ name: "TicketsReserved", data: { concertId, purchaseId, tier, quantity, reservedAt: at } });
export const rejected = (purchaseId: string, tier: "standard" | "vip", quantity: number, available: number): NewEvent => ({
  name: "ReservationRejected",
  data: { concertId, purchaseId, tier, quantity, available, reason: "sold-out" },
});
export const released = (purchaseId: string, tier: "standard" | "vip", quantity: number): NewEvent => ({ name: "TicketsReleased", data: { concertId, purchaseId, tier, quantity, reason: "payment-declined" } });

const prices = { standard: 5_000, vip: 15_000 };
export const placed = (purchaseId: string, tier: "standard" | "vip", quantity: number, buyer = fan): NewEvent => ({
  name: "PurchasePlaced",
  data: { purchaseId, concertId, fan: buyer, tier, quantity, unitPriceCents: prices[tier], totalCents: prices[tier] * quantity, placedAt: at },
});
export const completed = (purchaseId: string, tier: "standard" | "vip", quantity: number, buyer = fan): NewEvent => ({
  name: "PurchaseCompleted",
  data: { purchaseId, concertId, fan: buyer, tier, quantity, ticketIds: Array.from({ length: quantity }, (_, i) => `${purchaseId}-t${i + 1}`), totalCents: prices[tier] * quantity, paymentId: `pay-${purchaseId}`, completedAt: at },
});
export const cancelled = (purchaseId: string, tier: "standard" | "vip", quantity: number, buyer = fan): NewEvent => ({
  name: "PurchaseCancelled",
  data: { purchaseId, concertId, fan: buyer, tier, quantity, reason: "payment-declined", refunded: false, cancelledAt: at },
});

/** Appends events to a stream as the consumer runner does (id `<streamId>:<version>`, subject = stream id). */
export async function append(store: InMemoryEventStore, streamId: string, events: readonly NewEvent[]): Promise<CloudEvent[]> {
  const { version } = await store.readStream(streamId);
  const messages = events.map((e, i) => createMessage(e.name, e.data as never, { correlationId: "c-1", id: `${streamId}:${version + i + 1}`, subject: streamId }));
  await store.commit({ streamId, expectedVersion: version, events: messages });
  return messages;
}
