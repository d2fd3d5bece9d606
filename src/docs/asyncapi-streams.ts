/**
 * The two other ways events leave the system, in AsyncAPI 3:
 * - the Kafka stream: one channel per event hub (a Kafka topic), the outbox relay mirrors every event to it, and
 *   each declared consumer group is a receive operation (Kafka binding groupId). Old versions are listed too: a
 *   replay from the earliest offset meets whatever was written while they were current.
 * - Event Grid: one channel for the custom topic (publishers POST to it); each event subscription is a receive
 *   operation, since Event Grid pushes to the subscriber's endpoint instead of the subscriber reading an address;
 *   its messages are the `notify` events its event-type filter lets through, its other filters are described.
 */
import type { DocumentedMessage } from "./asyncapi-messages.js";
import { type ChannelsAndOperations, channelMessageRef, channelRef, messageRefs } from "./asyncapi-service-bus.js";
import { SERVER_IDS } from "./asyncapi-servers.js";
import type { JsonSchema } from "./json-schema.js";
import type { EventGridSubscription, EventGridTopic, EventHub, MessageRouting } from "./messaging-topology.js";

export function kafkaChannels(eventHubs: readonly EventHub[], routing: MessageRouting, messages: readonly DocumentedMessage[]): ChannelsAndOperations {
  const hub = eventHubs.find((h) => h.name === routing.eventHub);
  if (!hub) throw new Error(`The outbox relay mirrors events to the event hub "${routing.eventHub}", which topology/eventhubs.json does not declare.`);
  const events = messages.filter((m) => m.kind === "event");
  const key = `kafka.${hub.name}`;
  const channel: JsonSchema = {
    address: hub.name,
    title: `${hub.name} event hub`,
    summary: "Every domain event, mirrored by the outbox relay: a replayable stream for analytics and read models.",
    description:
      "Record value: the CloudEvent (JSON); record key: the stream id, so each stream's events (e.g. one purchase's) stay in one partition, in order; " +
      "record headers ce_id, ce_type, correlationid, causationid and traceparent (consumers dedupe on ce_id: delivery is at least once). " +
      "Producers stay under Event Hubs' 1 MB request limit; the topic is never auto-created. " +
      `Retention: ${hub.retentionMs / 3_600_000} h in the emulator's topology.`,
    servers: SERVER_IDS.kafka.map((id) => ({ $ref: `#/servers/${id}` })),
    messages: messageRefs("kafka", events),
    bindings: { kafka: { partitions: hub.partitionCount, topicConfiguration: { "cleanup.policy": ["delete"], "retention.ms": hub.retentionMs }, bindingVersion: "0.5.0" } },
  };
  const operations: Record<string, JsonSchema> = {
    [`outbox-relay.mirror-events`]: {
      action: "send",
      channel: channelRef(key),
      title: "The outbox relay mirrors every event to Kafka",
      description: "The relay produces each event it sends on the Service Bus events topic here too, keyed by its stream id.",
      messages: events.filter((m) => m.current).map((m) => channelMessageRef(key, "kafka", m)),
    },
  };
  for (const group of [...hub.consumerGroups].sort()) {
    operations[`${hub.name}.${group}.receive`] = {
      action: "receive",
      channel: channelRef(key),
      title: `Consumer group ${group} reads ${hub.name}`,
      description: "A Kafka consumer group (kafkajs, or a Functions kafkaTrigger): offsets committed after handling; it can start from the earliest offset, the latest, or its committed one.",
      messages: events.map((m) => channelMessageRef(key, "kafka", m)),
      bindings: { kafka: { groupId: { type: "string", enum: [group] }, bindingVersion: "0.5.0" } },
    };
  }
  return { channels: { [key]: channel }, operations };
}

function filterDescription(subscription: EventGridSubscription): string {
  const parts: string[] = [];
  parts.push(subscription.includedEventTypes ? `event types ${subscription.includedEventTypes.map((t) => `\`${t}\``).join(", ")}` : "every event type");
  if (subscription.subjectBeginsWith) parts.push(`subject begins with \`${subscription.subjectBeginsWith}\``);
  if (subscription.subjectEndsWith) parts.push(`subject ends with \`${subscription.subjectEndsWith}\``);
  for (const f of subscription.advancedFilters) {
    const values = f.values === undefined ? String(f.value) : JSON.stringify(f.values);
    parts.push(`${f.operatorType}(${f.key}${f.operatorType.startsWith("Is") ? "" : `, ${values}`})`);
  }
  return parts.join("; ");
}

export function eventGridChannels(topics: readonly EventGridTopic[], routing: MessageRouting, messages: readonly DocumentedMessage[]): ChannelsAndOperations {
  const topic = topics.find((t) => t.name === routing.eventGridTopic);
  if (!topic) throw new Error(`The outbox relay pushes notifications to the Event Grid topic "${routing.eventGridTopic}", which topology/eventgrid.json does not declare.`);
  const notifications = messages.filter((m) => m.notify && m.current);
  const key = `eventgrid.${topic.name}`;
  const channel: JsonSchema = {
    address: "/api/events",
    title: `${topic.name} Event Grid topic`,
    summary: "Push notifications to fans: the public, stable events only (catalog `notify`).",
    description:
      `Input schema ${topic.inputSchema}: publishers POST a batch of CloudEvents; Event Grid pushes each to every event subscription whose filters match, ` +
      "retrying with backoff and dead-lettering what it cannot deliver. The CloudEvents extensions (correlationid, causationid, traceparent) travel with the event.",
    servers: SERVER_IDS.eventGrid.map((id) => ({ $ref: `#/servers/${id}` })),
    messages: messageRefs("eventgrid", notifications),
  };
  const operations: Record<string, JsonSchema> = {
    [`outbox-relay.publish-notifications`]: {
      action: "send",
      channel: channelRef(key),
      title: "The outbox relay publishes notifications",
      description: "Catalog events marked `notify` are published to the topic as CloudEvents, after they were sent on Service Bus.",
      messages: notifications.map((m) => channelMessageRef(key, "eventgrid", m)),
    },
  };
  for (const subscription of topic.subscriptions) {
    const included = subscription.includedEventTypes?.map((t) => t.toLowerCase());
    const accepted = notifications.filter((m) => !included || included.includes(m.type.toLowerCase()));
    operations[`${topic.name}.${subscription.name}.receive`] = {
      action: "receive",
      channel: channelRef(key),
      title: `Event subscription ${subscription.name}`,
      description:
        `Event Grid pushes to ${subscription.destination} (${subscription.deliverySchema}). Filters: ${filterDescription(subscription)}. ` +
        `Up to ${subscription.maxDeliveryAttempts} attempts within ${subscription.eventTimeToLiveInMinutes} minutes.`,
      messages: accepted.map((m) => channelMessageRef(key, "eventgrid", m)),
      "x-eventgrid-subscription": {
        destination: subscription.destination,
        includedEventTypes: subscription.includedEventTypes,
        subjectBeginsWith: subscription.subjectBeginsWith || undefined,
        subjectEndsWith: subscription.subjectEndsWith || undefined,
        advancedFilters: subscription.advancedFilters,
      },
    };
  }
  return { channels: { [key]: channel }, operations };
}
