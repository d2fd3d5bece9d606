/**
 * Span attributes of the OpenTelemetry messaging semantic conventions (and the CloudEvents ones), plus the
 * correlation id, so a span is found by the message id, the destination or the purchase's correlation id.
 */
import type { Attributes } from "@opentelemetry/api";
import type { MessagingSystem } from "../timeline/hop.js";
import type { MessageFacts } from "../timeline/hop.js";

export const CORRELATION_ID_ATTRIBUTE = "musicfest.correlation_id";
export const CONSUMER_ATTRIBUTE = "musicfest.consumer";
export const OUTCOME_ATTRIBUTE = "musicfest.outcome";

export type MessagingOperation = "publish" | "receive" | "process";
const operationType: Record<MessagingOperation, string> = { publish: "send", receive: "receive", process: "process" };

export interface MessagingSpanFields {
  system?: MessagingSystem;
  operation: MessagingOperation;
  destination?: string;
  subscription?: string;
  deliveryCount?: number;
  facts?: MessageFacts;
}

export function messagingAttributes(f: MessagingSpanFields): Attributes {
  const a: Attributes = {
    "messaging.operation": f.operation,
    "messaging.operation.type": operationType[f.operation],
    "messaging.operation.name": f.operation,
  };
  if (f.system) a["messaging.system"] = f.system;
  if (f.destination) a["messaging.destination.name"] = f.destination;
  if (f.subscription) {
    a["messaging.destination.subscription.name"] = f.subscription;
    a["messaging.consumer.group.name"] = f.subscription;
  }
  if (f.deliveryCount !== undefined) a["messaging.servicebus.message.delivery_count"] = f.deliveryCount;
  if (f.facts) {
    a["messaging.message.id"] = f.facts.messageId;
    a["cloudevents.event_id"] = f.facts.messageId;
    a["cloudevents.event_type"] = f.facts.type;
    if (f.facts.correlationId) {
      a["messaging.message.conversation_id"] = f.facts.correlationId;
      a[CORRELATION_ID_ATTRIBUTE] = f.facts.correlationId;
    }
    if (f.facts.purchaseId) a["musicfest.purchase_id"] = f.facts.purchaseId;
  }
  return a;
}
