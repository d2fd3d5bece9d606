/**
 * The `aeg-*` properties Azure puts on every delivery (webhook headers; application properties on Service Bus),
 * plus the subscription's custom delivery properties (static, or dynamic from a path into the event).
 */
import type { DeliveryAttributeMapping, DeliverySchema } from "../config-types.js";
import { lookupKey } from "../filters/key-lookup.js";
import type { OutgoingEvent } from "./destination.js";

export function aegProperties(subscriptionName: string, schema: DeliverySchema, first: OutgoingEvent, deliveryCount: number): Record<string, string> {
  const cloudEvents = schema === "CloudEventSchemaV1_0";
  const props: Record<string, string> = {
    "aeg-subscription-name": subscriptionName.toUpperCase(),
    "aeg-delivery-count": String(deliveryCount),
    "aeg-event-type": "Notification",
    "aeg-metadata-version": cloudEvents ? "1.0" : "1",
    "aeg-output-event-id": String(first.body.id ?? first.accepted.stored.event.id),
  };
  if (!cloudEvents) props["aeg-data-version"] = String(first.accepted.stored.schema === "EventGrid" ? first.accepted.stored.event.dataVersion : "");
  return props;
}

/** Custom delivery properties of one event; dynamic values must be strings, numbers or booleans. */
export function customProperties(mappings: DeliveryAttributeMapping[], event: OutgoingEvent): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const m of mappings) {
    if (m.type === "Static") {
      if (m.value !== undefined) out[m.name] = m.value;
      continue;
    }
    const found = lookupKey(event.body, m.sourceField ?? "");
    if (found.found && ["string", "number", "boolean"].includes(typeof found.value)) out[m.name] = found.value as string | number | boolean;
  }
  return out;
}
