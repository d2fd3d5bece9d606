/**
 * The response bodies of the HTTP API as zod schemas, for the OpenAPI document only: the endpoints build these
 * bodies from TypeScript types (src/projections/ via src/queries/, src/dead-letters/, src/http/), so
 * test/unit/docs/openapi.test.ts runs the real endpoints and checks their answers against these schemas; a field
 * added or renamed there fails that test until it is described here. Request bodies are not repeated here: the
 * document takes them from the schemas the endpoints validate with.
 */
import { z } from "zod";
import { cancellationReason, fanSchema, ticketTier } from "../events/catalog.js";

const instant = z.iso.datetime({ offset: true });
const perTier = (value: z.ZodType, description: string) => z.object({ standard: value, vip: value }).describe(description);

export const problemSchema = z
  .looseObject({
    type: z.string().describe("A URI naming the kind of problem (`about:blank` for plain HTTP statuses)."),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional().describe("The request path."),
    code: z.string().optional().describe("The domain's error code (SoldOut, ConcertNotFound, ConcertAlreadyScheduled, IdempotencyKeyReused...)."),
    errors: z
      .array(
        z.object({
          name: z.string().describe("Dotted path of the field (`fan.email`), a header or query parameter name, or empty for the body."),
          pointer: z.string().describe("JSON Pointer to the field, as a URI fragment (`#/fan/email`)."),
          detail: z.string(),
        }),
      )
      .optional()
      .describe("Validation problems: every invalid field, unknown ones included."),
  })
  .describe("Problem Details (RFC 9457).");

export const purchaseAcceptedSchema = z.object({
  purchaseId: z.string(),
  status: z.enum(["pending", "completed", "cancelled"]).describe("`pending` for a new purchase; a retried request with the same Idempotency-Key answers the purchase's current status."),
  location: z.string().describe("Where to poll: `/api/purchases/{purchaseId}`, also in the Location header."),
  version: z.number().int().min(1).describe("The purchase version the command makes (1, placed): `GET {location}?minVersion=1` waits until the read model shows it. The outcome (completed or cancelled) is version 2."),
});

export const purchaseStatusSchema = z.object({
  purchaseId: z.string(),
  concertId: z.string(),
  status: z.enum(["pending", "completed", "cancelled"]),
  fan: fanSchema,
  tier: ticketTier,
  quantity: z.number().int().min(1),
  unitPriceCents: z.number().int().min(0),
  totalCents: z.number().int().min(0),
  placedAt: instant,
  ticketIds: z.array(z.string()).optional().describe("Completed: the tickets the provider issued."),
  paymentId: z.string().optional().describe("Completed: the captured payment."),
  completedAt: instant.optional(),
  reason: cancellationReason.optional().describe("Cancelled: why."),
  detail: z.string().optional(),
  refunded: z.boolean().optional().describe("Cancelled: whether a captured payment was refunded."),
  cancelledAt: instant.optional(),
  version: z.number().int().min(1).describe("The version of the purchase's stream the read model reflects (1 placed, 2 completed or cancelled); also the ETag."),
});

export const concertAcceptedSchema = z.object({
  concertId: z.string(),
  status: z.enum(["scheduling", "scheduled"]).describe("`scheduled` when the same concert was already scheduled with the same details (nothing is sent again)."),
  location: z.string().describe("`/api/concerts/{concertId}`, also in the Location header."),
  version: z.number().int().min(1).describe("The concert version the command makes (1, scheduled): `GET {location}?minVersion=1` waits until the read model shows it."),
});

export const concertAvailabilitySchema = z.object({
  concertId: z.string(),
  name: z.string(),
  venue: z.string(),
  startsAt: instant,
  capacity: perTier(z.number().int().min(0), "Tickets per tier."),
  prices: perTier(z.number().int().min(0), "Price per ticket in cents, per tier."),
  ticketsLeft: perTier(z.number().int().min(0), "Tickets not reserved, per tier, right now."),
  version: z.number().int().min(1).describe("The version of the concert's stream the read model reflects (every reservation and release moves it); also the ETag."),
});

const tierSales = z.object({ ticketsSold: z.number().int().min(0), revenueCents: z.number().int().min(0) });

export const concertSalesSchema = z.object({
  concertId: z.string(),
  tiers: perTier(tierSales, "Tickets sold and revenue in cents, per tier."),
  ticketsSold: z.number().int().min(0),
  revenueCents: z.number().int().min(0),
  purchases: z.number().int().min(0).describe("Completed purchases counted."),
  version: z.number().int().min(0).describe("The read model's version: completed purchases counted (0: none yet); also the ETag."),
});

export const fanPurchaseSchema = z.object({
  purchaseId: z.string(),
  fanId: z.string(),
  concertId: z.string(),
  status: z.enum(["pending", "completed", "cancelled"]),
  tier: ticketTier,
  quantity: z.number().int().min(1),
  totalCents: z.number().int().min(0),
  placedAt: instant,
  ticketIds: z.array(z.string()).optional().describe("Completed: the tickets."),
  completedAt: instant.optional(),
  reason: cancellationReason.optional().describe("Cancelled: why."),
  cancelledAt: instant.optional(),
  version: z.number().int().min(1).describe("The version of the purchase's stream this row reflects."),
});

export const fanPurchasesSchema = z.object({
  fanId: z.string(),
  purchases: z.array(fanPurchaseSchema).describe("Newest first."),
  version: z.number().int().min(0).describe("The list's version: the sum of its rows' versions, so it grows with every change to any of them (0: no purchases); also the ETag."),
});

export const healthSchema = z.object({ status: z.literal("healthy") });

export const deadLetterSchema = z.object({
  sequenceNumber: z.number().int().min(0),
  messageId: z.string().optional(),
  reason: z.string().optional().describe("DeadLetterReason (e.g. MaxDeliveryCountExceeded)."),
  description: z.string().optional().describe("DeadLetterErrorDescription."),
  deliveryCount: z.number().int().optional(),
  enqueuedTimeUtc: instant.optional(),
  deadLetterSource: z.string().optional(),
  subject: z.string().optional(),
  correlationId: z.string().optional(),
  sessionId: z.string().optional(),
  contentType: z.string().optional(),
  applicationProperties: z.record(z.string(), z.unknown()),
  body: z.unknown().describe("The message body: JSON when it is JSON, else text, else base64 (see bodyEncoding)."),
  bodyEncoding: z.enum(["json", "text", "base64"]),
});

export const deadLetterListSchema = z.object({ entity: z.string(), count: z.number().int().min(0), items: z.array(deadLetterSchema) });

export const resubmitResultSchema = z.object({
  entity: z.string(),
  target: z.string().describe("Where the copies went: the queue, or the topic the subscription belongs to (the rules select it again)."),
  resubmitted: z.array(z.object({ sequenceNumber: z.number().int(), messageId: z.string().describe("`<original id>:resubmit:<sequence number>`, so duplicate detection does not drop the copy.") })),
});

export const issuedTicketsSchema = z.object({ reference: z.string(), purchaseId: z.string(), concertId: z.string(), ticketIds: z.array(z.string()) });

export const providerProblemSchema = z.looseObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});

export const fanAcceptedSchema = z.object({
  fanId: z.string(),
  status: z
    .enum(["registering", "registered", "updating", "updated"])
    .describe("`registering`/`updating` when the command was sent; `registered`/`updated` when the fan already has this profile (nothing is sent)."),
  location: z.string().describe("`/api/fans/{fanId}`, also in the Location header."),
});

export const fanViewSchema = z.object({
  fanId: z.string(),
  email: z.email(),
  name: z.string(),
  phone: z.string().optional(),
  city: z.string().optional(),
  registeredAt: instant,
  updatedAt: instant,
  version: z.number().int().min(1).describe("The version of the fan's stream (fan-<fanId>) the answer reflects."),
});
