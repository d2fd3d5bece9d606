/**
 * The event catalog: each event's CloudEvents `type` (name and schema version) and the zod schema of its `data`.
 * Producers build events with `createEvent`, consumers read them with `readEvent`, so a malformed event is refused
 * at the edge with the field that is wrong, and a new version gets a new type (and, later, an upcaster).
 */
import { z } from "zod";
import { type CloudEvent, cloudEventSchema, envelope, type EnvelopeOptions } from "./envelope.js";

const id = z.string().min(1).max(128);
const fan = z.object({ id, email: z.email(), name: z.string().min(1).max(200).optional() });

export const eventCatalog = {
  TicketPurchaseRequested: {
    type: "MusicFest.Ticketing.TicketPurchaseRequested.v1",
    data: z.object({ purchaseId: id, concertId: id, fan, tickets: z.number().int().min(1), paymentToken: z.string().min(1), requestedAt: z.string() }),
  },
  PaymentAuthorized: {
    type: "MusicFest.Payments.PaymentAuthorized.v1",
    data: z.object({ purchaseId: id, authorizationId: id, amountCents: z.number().int().min(0) }),
  },
  PaymentDeclined: {
    type: "MusicFest.Payments.PaymentDeclined.v1",
    data: z.object({ purchaseId: id, reason: z.string().min(1) }),
  },
  TicketsReserved: {
    type: "MusicFest.TicketingProvider.TicketsReserved.v1",
    data: z.object({ purchaseId: id, ticketIds: z.array(id).min(1) }),
  },
  PurchaseCompleted: {
    type: "MusicFest.Ticketing.PurchaseCompleted.v1",
    data: z.object({ purchaseId: id, concertId: id, fan, ticketIds: z.array(id).min(1), authorizationId: id, completedAt: z.string() }),
  },
  PurchaseDeclined: {
    type: "MusicFest.Ticketing.PurchaseDeclined.v1",
    data: z.object({ purchaseId: id, concertId: id, fan, reason: z.string().min(1), declinedAt: z.string() }),
  },
} as const;

export type EventName = keyof typeof eventCatalog;
export type EventData<N extends EventName> = z.output<(typeof eventCatalog)[N]["data"]>;
export type CatalogEvent<N extends EventName = EventName> = CloudEvent<EventData<N>>;

const nameByType = new Map<string, EventName>(Object.entries(eventCatalog).map(([name, e]) => [e.type, name as EventName]));

/** The catalog name of a CloudEvents type, or undefined for a type the system does not know. */
export function eventNameOf(type: string): EventName | undefined {
  return nameByType.get(type);
}

export function createEvent<N extends EventName>(name: N, data: EventData<N>, options: EnvelopeOptions): CatalogEvent<N> {
  const checked = eventCatalog[name].data.parse(data) as EventData<N>;
  return envelope(eventCatalog[name].type, checked, options);
}

export class InvalidEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidEventError";
  }
}

/** Reads an event of one of the `expected` kinds from a message body or an Event Grid delivery. */
export function readEvent<N extends EventName>(body: unknown, expected: readonly N[]): { name: N; event: CatalogEvent<N> } {
  const raw = typeof body === "string" || Buffer.isBuffer(body) ? safeJson(body.toString()) : body;
  const parsed = cloudEventSchema.safeParse(raw);
  if (!parsed.success) throw new InvalidEventError(`not a CloudEvents 1.0 event: ${z.prettifyError(parsed.error)}`);
  const name = eventNameOf(parsed.data.type);
  if (!name || !(expected as readonly EventName[]).includes(name)) {
    throw new InvalidEventError(`unexpected event type "${parsed.data.type}" (expected ${expected.map((n) => eventCatalog[n].type).join(" or ")})`);
  }
  const data = eventCatalog[name].data.safeParse(parsed.data.data);
  if (!data.success) throw new InvalidEventError(`invalid ${name} data: ${z.prettifyError(data.error)}`);
  const event = { ...parsed.data, data: data.data, correlationid: parsed.data.correlationid ?? parsed.data.id } as CatalogEvent<N>;
  return { name: name as N, event };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
