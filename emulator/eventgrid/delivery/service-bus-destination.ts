/**
 * Delivery to a Service Bus queue or topic of the emulator: one message per event, the event JSON as the body, the
 * `aeg-*` properties and custom delivery properties as application properties; the reserved names (MessageId,
 * SessionId, PartitionKey, CorrelationId, Label, ReplyTo, ReplyToSessionId, To) set the message's own fields.
 */
import type { DeliveryAttributeMapping, DeliverySchema } from "../config-types.js";
import type { EnqueuedMessage, ServiceBusEnqueuer } from "../../common/service-bus-enqueuer.js";
import type { DeliveryResult, Destination, OutgoingEvent } from "./destination.js";
import { aegProperties, customProperties } from "./delivery-properties.js";
import type { DeliveryOutcome } from "./retry-policy.js";

const SYSTEM_PROPERTIES: Record<string, keyof EnqueuedMessage> = {
  messageid: "messageId",
  sessionid: "sessionId",
  partitionkey: "partitionKey",
  correlationid: "correlationId",
  label: "subject",
  replyto: "replyTo",
  replytosessionid: "replyToSessionId",
  to: "to",
};

function outcomeForError(err: unknown): { outcome: DeliveryOutcome; status?: number; retriable: boolean } {
  const code = String((err as { code?: string })?.code ?? "");
  if (/NotFound/i.test(code)) return { outcome: "NotFound", status: 404, retriable: true };
  if (/Quota|Full/i.test(code)) return { outcome: "Full", retriable: true };
  if (/Disabled/i.test(code)) return { outcome: "Disabled", retriable: true };
  if (/SizeExceeded|TooLarge/i.test(code)) return { outcome: "PayloadTooLarge", status: 413, retriable: false };
  if (/Session/i.test(code)) return { outcome: "SessionQueueNotSupported", retriable: false };
  if (/Unauthorized/i.test(code)) return { outcome: "Unauthorized", status: 401, retriable: true };
  return { outcome: "Aborted", retriable: true };
}

export class ServiceBusDestination implements Destination {
  readonly kind = "azure-resource" as const;
  readonly description: string;
  readonly batch = { maxEventsPerBatch: 1, preferredBatchSizeInKilobytes: 1024, enabled: false };

  constructor(
    private readonly o: {
      entityType: "ServiceBusQueue" | "ServiceBusTopic";
      entityName: string;
      subscriptionName: string;
      schema: DeliverySchema;
      mappings: DeliveryAttributeMapping[];
      sink: ServiceBusEnqueuer | undefined;
    },
  ) {
    this.description = `${o.entityType} ${o.entityName}`;
  }

  async deliver(events: OutgoingEvent[], deliveryCount: number): Promise<DeliveryResult> {
    if (!this.o.sink) return { ok: false, outcome: "NotFound", status: 404, retriable: true, error: "the emulator has no Service Bus to deliver to" };
    try {
      for (const event of events) {
        const message: EnqueuedMessage = {
          body: Buffer.from(event.json),
          contentType: this.o.schema === "CloudEventSchemaV1_0" ? "application/cloudevents+json; charset=utf-8" : "application/json",
          messageId: event.accepted.internalId,
          applicationProperties: { ...aegProperties(this.o.subscriptionName, this.o.schema, event, deliveryCount) },
        };
        for (const [name, value] of Object.entries(customProperties(this.o.mappings, event))) {
          const field = SYSTEM_PROPERTIES[name.toLowerCase()];
          if (field) (message as unknown as Record<string, unknown>)[field] = String(value);
          else message.applicationProperties![name] = value;
        }
        await this.o.sink.enqueue(this.o.entityName, message);
      }
      return { ok: true };
    } catch (err) {
      const r = outcomeForError(err);
      return { ok: false, ...r, error: (err as Error)?.message ?? String(err) };
    }
  }
}
