/**
 * The body of GET /api/purchases/{id}/timeline as a zod schema, for the OpenAPI document (src/docs/openapi.ts) and
 * the tests that check the real endpoint's answer against it.
 */
import { z } from "zod";
import { hopKinds } from "./hop.js";

const instant = z.iso.datetime({ offset: true });

export const timelineHopSchema = z
  .object({
    kind: z
      .enum(hopKinds)
      .describe(
        "requested (an HTTP request sent it), recorded (committed to a stream), published, delivered, handled, " +
          "duplicate (already handled), failed, deferred (sent again for later: the ticketing provider's circuit " +
          "was open) or circuit (the provider's circuit changed state).",
      ),
    at: instant,
    messageId: z.string(),
    type: z.string().describe("The CloudEvents type."),
    name: z.string().optional().describe("The catalog name, e.g. PurchasePlaced."),
    purchaseId: z.string().optional(),
    correlationId: z.string().optional(),
    causationId: z.string().optional().describe("The id of the message that caused this one."),
    traceId: z.string().optional().describe("The W3C trace id: the same on every hop of a purchase."),
    spanId: z.string().optional(),
    by: z.string().optional().describe("Who: the function or consumer (handlers, the relay's caller, the sweeper), or the HTTP route."),
    system: z.enum(["servicebus", "kafka", "eventgrid"]).optional(),
    destination: z.string().optional().describe("Topic, event hub or Event Grid topic (published); topic/subscription (delivered)."),
    channel: z.string().optional().describe("The outbox channel: events or commands."),
    deliveryCount: z.number().int().optional().describe("Service Bus' delivery count (1 on the first delivery)."),
    streamId: z.string().optional(),
    version: z.number().int().optional(),
    detail: z.string().optional().describe("Why it failed, or a note such as `no change`."),
    circuit: z
      .enum(["closed", "open", "half-open"])
      .optional()
      .describe("The ticketing provider's circuit state: the new one (circuit), open (deferred)."),
    retryAt: instant.optional().describe("When a deferred message is due again."),
  })
  .describe("One step of one message.");

export const timelineEventSchema = z.object({
  id: z.string(),
  type: z.string(),
  name: z.string().optional(),
  streamId: z.string(),
  version: z.number().int(),
  time: instant,
  causationId: z.string().optional(),
  correlationId: z.string().optional(),
  traceId: z.string().optional(),
});

export const purchaseTimelineSchema = z
  .object({
    purchaseId: z.string(),
    correlationIds: z.array(z.string()).describe("The correlation ids on the purchase's messages (one when all came from one request)."),
    traceIds: z.array(z.string()).describe("The trace ids on the purchase's messages (one when all came from one request)."),
    events: z.array(timelineEventSchema).describe("The events of the purchase's streams, in order."),
    hops: z.array(timelineHopSchema).describe("Every hop of every message about the purchase: by time, then causation, then the hop's place in a message's life."),
  })
  .describe("A purchase's timeline.");
