/**
 * The message catalog: every event, command and timeout of the system in one place, each with its name, its
 * current version, the zod schema of its `data` (the HTTP API validates with the same schemas) and the CloudEvents
 * type it travels as (`MusicFest.<Context>.<Name>.v<version>`). An older version stays readable through an upcaster
 * that turns its data into the current shape, so a v1 event stored years ago is read as v2 everywhere.
 *
 *   event    a fact, past tense; published on the `events` topic (and mirrored to Kafka); zero to many handlers.
 *   command  a request to one handler, imperative; sent on the `commands` topic, where one subscription per
 *            command type gives it exactly one handler.
 *   timeout  a message a process schedules to itself (a scheduled Service Bus message on the `events` topic).
 */
import { z } from "zod";
import { type CloudEvent, cloudEventSchema, envelope, type EnvelopeOptions } from "./envelope.js";
import { definition, type MessageDefinition, upcastFrom } from "./definition.js";

const id = z.string().min(1).max(128);
const cents = z.number().int().min(0);
const instant = z.iso.datetime({ offset: true });
export const ticketTier = z.enum(["standard", "vip"]);
export const fanSchema = z.object({ id: z.string().min(1).max(64), email: z.email(), name: z.string().min(1).max(200).optional() });
export const cancellationReason = z.enum(["sold-out", "payment-declined", "tickets-unavailable", "reservation-expired"]);
/** A fan's profile as the fans service keeps it (the whole of it travels in FanProfileUpdated). */
export const fanProfileSchema = z.object({
  email: z.email().max(254),
  name: z.string().trim().min(1).max(200),
  phone: z.string().regex(/^\+?[0-9 ()-]{4,30}$/, "must be a phone number (digits, spaces, ( ) - and an optional leading +)").optional(),
  city: z.string().trim().min(1).max(100).optional(),
});

const purchasePlacedV1 = z.object({ purchaseId: id, concertId: id, fanId: id, fanEmail: z.email(), tickets: z.number().int().min(1), totalCents: cents, placedAt: instant });
const purchasePlacedV2 = z.object({
  purchaseId: id,
  concertId: id,
  fan: fanSchema,
  tier: ticketTier,
  quantity: z.number().int().min(1),
  unitPriceCents: cents,
  totalCents: cents,
  placedAt: instant,
});

export const catalog = {
  // Concerts: stream `concert-<concertId>` (the inventory).
  ConcertScheduled: definition("event", "Concerts", "ConcertScheduled", 1, z.object({
    concertId: id,
    name: z.string().min(1).max(200),
    venue: z.string().min(1).max(200),
    startsAt: instant,
    capacity: z.object({ standard: z.number().int().min(0), vip: z.number().int().min(0) }),
    prices: z.object({ standard: cents, vip: cents }),
  })),
  TicketsReserved: definition("event", "Concerts", "TicketsReserved", 1, z.object({ concertId: id, purchaseId: id, tier: ticketTier, quantity: z.number().int().min(1), reservedAt: instant })),
  ReservationRejected: definition("event", "Concerts", "ReservationRejected", 1, z.object({ concertId: id, purchaseId: id, tier: ticketTier, quantity: z.number().int().min(1), available: z.number().int().min(0), reason: z.literal("sold-out") })),
  TicketsReleased: definition("event", "Concerts", "TicketsReleased", 1, z.object({ concertId: id, purchaseId: id, tier: ticketTier, quantity: z.number().int().min(1), reason: cancellationReason })),

  // Purchases: stream `purchase-<purchaseId>`.
  PurchasePlaced: definition("event", "Purchases", "PurchasePlaced", 2, purchasePlacedV2, [
    // v1 had flat fan fields, no tier and no unit price; every v1 purchase was a standard one.
    upcastFrom(1, purchasePlacedV1, (v1) => ({
      purchaseId: v1.purchaseId,
      concertId: v1.concertId,
      fan: { id: v1.fanId, email: v1.fanEmail },
      tier: "standard" as const,
      quantity: v1.tickets,
      unitPriceCents: Math.round(v1.totalCents / v1.tickets),
      totalCents: v1.totalCents,
      placedAt: v1.placedAt,
    })),
  ]),
  PurchaseCompleted: definition("event", "Purchases", "PurchaseCompleted", 1, z.object({
    purchaseId: id, concertId: id, fan: fanSchema, tier: ticketTier, quantity: z.number().int().min(1), ticketIds: z.array(id).min(1), totalCents: cents, paymentId: id, completedAt: instant,
  }), [], { notify: true }),
  PurchaseCancelled: definition("event", "Purchases", "PurchaseCancelled", 1, z.object({
    purchaseId: id, concertId: id, fan: fanSchema, tier: ticketTier, quantity: z.number().int().min(1), reason: cancellationReason, detail: z.string().max(500).optional(), refunded: z.boolean(), cancelledAt: instant,
  }), [], { notify: true }),

  // Payments: stream `payment-<purchaseId>`.
  PaymentCaptured: definition("event", "Payments", "PaymentCaptured", 1, z.object({ purchaseId: id, paymentId: id, amountCents: cents, capturedAt: instant })),
  PaymentDeclined: definition("event", "Payments", "PaymentDeclined", 1, z.object({ purchaseId: id, amountCents: cents, reason: z.string().min(1).max(500) })),
  PaymentRefunded: definition("event", "Payments", "PaymentRefunded", 1, z.object({ purchaseId: id, paymentId: id, amountCents: cents, refundedAt: instant })),

  // Third-party ticketing provider: stream `ticket-issue-<purchaseId>`.
  TicketsIssued: definition("event", "TicketingProvider", "TicketsIssued", 1, z.object({ purchaseId: id, concertId: id, ticketIds: z.array(id).min(1), providerReference: id })),
  TicketIssueFailed: definition("event", "TicketingProvider", "TicketIssueFailed", 1, z.object({ purchaseId: id, concertId: id, reason: z.literal("tickets-unavailable"), detail: z.string().max(500) })),

  // Fans: stream `fan-<fanId>`, owned by the fans service. FanRegistered is thin (event notification: a consumer
  // that needs the details asks the fans API); FanProfileUpdated carries the whole profile (event-carried state
  // transfer: the ticketing side keeps a replica from it), with the stream version so replicas apply it in order.
  FanRegistered: definition("event", "Fans", "FanRegistered", 1, z.object({ fanId: id })),
  FanProfileUpdated: definition("event", "Fans", "FanProfileUpdated", 1, fanProfileSchema.extend({ fanId: id, streamVersion: z.number().int().min(1), updatedAt: instant })),

  // Commands, each with exactly one handler (a subscription of the `commands` topic filtered on its type).
  ScheduleConcert: definition("command", "Concerts", "ScheduleConcert", 1, z.object({
    concertId: id,
    name: z.string().min(1).max(200),
    venue: z.string().min(1).max(200),
    startsAt: instant,
    capacity: z.object({ standard: z.number().int().min(0).max(1_000_000), vip: z.number().int().min(0).max(1_000_000) }),
    prices: z.object({ standard: cents, vip: cents }),
  })),
  PlacePurchase: definition("command", "Purchases", "PlacePurchase", 1, z.object({ purchaseId: id, concertId: id, fan: fanSchema, tier: ticketTier, quantity: z.number().int().min(1) })),
  ReserveTickets: definition("command", "Concerts", "ReserveTickets", 1, z.object({ concertId: id, purchaseId: id, tier: ticketTier, quantity: z.number().int().min(1) })),
  ReleaseTickets: definition("command", "Concerts", "ReleaseTickets", 1, z.object({ concertId: id, purchaseId: id, reason: cancellationReason })),
  CapturePayment: definition("command", "Payments", "CapturePayment", 1, z.object({ purchaseId: id, fanId: id, amountCents: cents })),
  RefundPayment: definition("command", "Payments", "RefundPayment", 1, z.object({ purchaseId: id, paymentId: id, amountCents: cents })),
  IssueTickets: definition("command", "TicketingProvider", "IssueTickets", 1, z.object({ purchaseId: id, concertId: id, fan: fanSchema, tier: ticketTier, quantity: z.number().int().min(1) })),
  CompletePurchase: definition("command", "Purchases", "CompletePurchase", 1, z.object({ purchaseId: id, ticketIds: z.array(id).min(1), paymentId: id })),
  CancelPurchase: definition("command", "Purchases", "CancelPurchase", 1, z.object({ purchaseId: id, reason: cancellationReason, detail: z.string().max(500).optional(), refunded: z.boolean() })),

  RegisterFan: definition("command", "Fans", "RegisterFan", 1, fanProfileSchema.extend({ fanId: id })),
  UpdateFanProfile: definition("command", "Fans", "UpdateFanProfile", 1, fanProfileSchema.extend({ fanId: id })),

  // Timeouts the purchase process schedules to itself.
  ReservationExpired: definition("timeout", "Purchases", "ReservationExpired", 1, z.object({ purchaseId: id, concertId: id, heldSince: instant })),
} as const satisfies Record<string, MessageDefinition>;

export type MessageName = keyof typeof catalog;
export type MessageData<N extends MessageName> = z.output<(typeof catalog)[N]["schema"]>;
export type CatalogMessage<N extends MessageName = MessageName> = CloudEvent<MessageData<N>>;
type NamesOfKind<K extends MessageDefinition["kind"]> = { [N in MessageName]: (typeof catalog)[N]["kind"] extends K ? N : never }[MessageName];
export type EventName = NamesOfKind<"event">;
export type CommandName = NamesOfKind<"command">;
export type TimeoutName = NamesOfKind<"timeout">;

/** Every CloudEvents type the system reads, current and older versions, to its name and version. */
const byType = new Map<string, { name: MessageName; version: number }>();
for (const [name, def] of Object.entries(catalog) as [MessageName, MessageDefinition][]) {
  byType.set(def.type, { name, version: def.version });
  for (const old of def.upcasters) byType.set(old.type, { name, version: old.version });
}

export function messageNameOf(type: string): MessageName | undefined {
  return byType.get(type)?.name;
}

export function definitionOf(name: MessageName): MessageDefinition {
  return catalog[name];
}

/** Builds a message of the catalog, checking its data against the schema of the current version. */
export function createMessage<N extends MessageName>(name: N, data: MessageData<N>, options: EnvelopeOptions): CatalogMessage<N> {
  const def: MessageDefinition = catalog[name];
  const checked = def.schema.parse(data) as MessageData<N>;
  return envelope(def.type, checked, options);
}

export class InvalidMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidMessageError";
  }
}

/**
 * The data of `type` at any known version, as the current version: validated against the schema of the version it
 * was written with, then upcast step by step. Used by the event store when it reads old events back.
 */
export function upcastData(type: string, data: unknown): { name: MessageName; data: unknown } {
  const known = byType.get(type);
  if (!known) throw new InvalidMessageError(`unknown message type "${type}"`);
  const def: MessageDefinition = catalog[known.name];
  let version = known.version;
  let current: unknown = data;
  if (version !== def.version) {
    const start = def.upcasters.find((u) => u.version === version)!;
    const parsed = start.schema.safeParse(current);
    if (!parsed.success) throw new InvalidMessageError(`invalid ${known.name} v${version} data: ${z.prettifyError(parsed.error)}`);
    current = parsed.data;
    for (const step of def.upcasters.filter((u) => u.version >= version).sort((a, b) => a.version - b.version)) {
      current = step.upcast(current);
      version = step.version + 1;
    }
  }
  const parsed = def.schema.safeParse(current);
  if (!parsed.success) throw new InvalidMessageError(`invalid ${known.name} data: ${z.prettifyError(parsed.error)}`);
  return { name: known.name, data: parsed.data };
}

/**
 * Reads a message of one of the `expected` kinds from a Service Bus body, an Event Grid delivery or a Kafka value
 * (an object, JSON text or bytes); an older version comes back upcast, with the current type.
 */
export function readMessage<N extends MessageName>(body: unknown, expected: readonly N[]): { name: N; message: CatalogMessage<N> } {
  const raw = typeof body === "string" || Buffer.isBuffer(body) ? safeJson(body.toString()) : body;
  const parsed = cloudEventSchema.safeParse(raw);
  if (!parsed.success) throw new InvalidMessageError(`not a CloudEvents 1.0 message: ${z.prettifyError(parsed.error)}`);
  const name = messageNameOf(parsed.data.type);
  if (!name || !(expected as readonly MessageName[]).includes(name)) {
    throw new InvalidMessageError(`unexpected message type "${parsed.data.type}" (expected ${expected.map((n) => catalog[n].type).join(" or ")})`);
  }
  const { data } = upcastData(parsed.data.type, parsed.data.data);
  const message = { ...parsed.data, type: catalog[name].type, data, correlationid: parsed.data.correlationid ?? parsed.data.id } as CatalogMessage<N>;
  return { name: name as N, message };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
