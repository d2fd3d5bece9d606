/**
 * Builds each subscription's destination from its config. Event Hubs destinations are the seam left for the Event Hubs
 * emulator's Kafka endpoint: the config loader refuses them with a clear message until that endpoint exists, and this
 * is where an `EventHubDestination` will plug in.
 */
import type { Clock } from "../../common/clock.js";
import type { EventSubscriptionConfig, TopicConfig } from "../config-types.js";
import type { ServiceBusEnqueuer } from "../../common/service-bus-enqueuer.js";
import type { Destination } from "./destination.js";
import { functionEndpointUrl, HttpDestination } from "./http-destination.js";
import { ServiceBusDestination } from "./service-bus-destination.js";

export interface DestinationContext {
  clock: Clock;
  functionApps: Record<string, string>;
  serviceBus?: ServiceBusEnqueuer;
}

export function createDestination(topic: TopicConfig, sub: EventSubscriptionConfig, ctx: DestinationContext): Destination {
  const d = sub.destination;
  const common = { subscriptionName: sub.name, topicId: topic.armId, schema: sub.eventDeliverySchema, clock: ctx.clock };
  switch (d.endpointType) {
    case "WebHook":
      return new HttpDestination({ ...common, kind: "webhook", url: d.endpointUrl, label: "WebHook", handshake: true, batch: d.batch, mappings: d.deliveryAttributeMappings });
    case "AzureFunction":
      return new HttpDestination({
        ...common,
        kind: "azure-resource",
        url: functionEndpointUrl(ctx.functionApps[d.functionApp], d.functionName),
        label: "AzureFunction",
        handshake: false,
        batch: d.batch,
        mappings: d.deliveryAttributeMappings,
      });
    case "ServiceBusQueue":
    case "ServiceBusTopic":
      return new ServiceBusDestination({
        entityType: d.endpointType,
        entityName: d.entityName,
        subscriptionName: sub.name,
        schema: sub.eventDeliverySchema,
        mappings: d.deliveryAttributeMappings,
        sink: ctx.serviceBus,
      });
  }
}
