/**
 * Service Bus in AsyncAPI 3: a topic is a channel that producers send to (address = the topic name), and each of
 * its subscriptions is a channel of its own that one consumer receives from (address = `<topic>/Subscriptions/<name>`,
 * the AMQP address a receiver attaches to). That is how Service Bus works and what its users look for: a
 * subscription has its own copy of the messages its rules let through, its own locks, sessions and dead-letter
 * queue, and a consumer names it, not the topic, when it connects. Modelling subscriptions as mere receive
 * operations on the topic channel would list every message of the topic under every consumer; here each receive
 * operation lists exactly the messages its subscription's rules accept, worked out by running those rules (the
 * emulator's SQL filter engine, through MessagingTopology) on the properties the outbox relay sets on each message.
 */
import { envelope } from "../events/envelope.js";
import { toServiceBusMessage } from "../messaging/service-bus-message-bus.js";
import { type DocumentedMessage, messageKey, type Transport } from "./asyncapi-messages.js";
import { SERVER_IDS } from "./asyncapi-servers.js";
import { type JsonSchema, propertyNames } from "./json-schema.js";
import { commandSenders, kebabCase, timeoutSenders } from "./message-producers.js";
import type { MessageRouting, RoutedMessage, ServiceBusSubscription, ServiceBusTopic } from "./messaging-topology.js";

export interface ChannelsAndOperations {
  channels: Record<string, JsonSchema>;
  operations: Record<string, JsonSchema>;
}

export const channelRef = (channel: string) => ({ $ref: `#/channels/${channel}` });
/** A channel's messages are keyed by the message's component key. */
export const channelMessageRef = (channel: string, transport: Transport, message: DocumentedMessage) => ({ $ref: `#/channels/${channel}/messages/${messageKey(transport, message)}` });
export const messageRefs = (transport: Transport, messages: readonly DocumentedMessage[]) =>
  Object.fromEntries(messages.map((m) => [messageKey(transport, m), { $ref: `#/components/messages/${messageKey(transport, m)}` }]));
const serverRefs = SERVER_IDS.serviceBus.map((id) => ({ $ref: `#/servers/${id}` }));

/**
 * The broker properties the outbox relay puts on a message of this type: the relay's own mapping
 * (toServiceBusMessage) applied to a stand-in of the message, so the filters see what they will see in production.
 */
export function routedMessageOf(message: DocumentedMessage): RoutedMessage {
  const data = Object.fromEntries(["purchaseId", "concertId"].filter((f) => propertyNames(message.dataSchema).includes(f)).map((f) => [f, `<${f}>`]));
  const cloudEvent = envelope(message.type, data, { id: "<id>", correlationId: "<correlation id>", time: new Date(0) });
  const sb = toServiceBusMessage({ message: cloudEvent, channel: message.kind === "command" ? "commands" : "events" });
  const system: Record<string, string> = {};
  for (const [name, value] of [["MessageId", sb.messageId], ["CorrelationId", sb.correlationId], ["Label", sb.subject], ["ContentType", sb.contentType], ["SessionId", sb.sessionId]] as const) {
    if (value !== undefined) system[name] = String(value);
  }
  const application = Object.fromEntries(Object.entries(sb.applicationProperties ?? {}).map(([k, v]) => [k, String(v)]));
  return { system, application };
}

/** ISO 8601 duration, as the config files write them (Azure's "never", TimeSpan.MaxValue, comes out as P10675199DT2H48M5.477S). */
export function duration(ms: number): string {
  const days = Math.floor(ms / 86_400_000);
  const hours = Math.floor((ms % 86_400_000) / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = (ms % 60_000) / 1000;
  const time = `${hours ? `${hours}H` : ""}${minutes ? `${minutes}M` : ""}${seconds ? `${seconds}S` : ""}`;
  return `P${days ? `${days}D` : ""}${time ? `T${time}` : days ? "" : "T0S"}`;
}

function subscriptionChannel(topic: ServiceBusTopic, subscription: ServiceBusSubscription, accepted: readonly DocumentedMessage[]): JsonSchema {
  const rules = subscription.rules.map((r) => `\`${r.name}\`: ${r.filter}${r.action ? ` (action ${r.action})` : ""}`).join("; ");
  return {
    address: `${topic.name}/Subscriptions/${subscription.name}`,
    title: `${topic.name} / ${subscription.name}`,
    summary: `Subscription ${subscription.name} of topic ${topic.name}: where its consumer receives.`,
    description:
      `Rules: ${rules || "none (receives nothing)"}.` +
      (subscription.requiresSession ? " Session-enabled: the session id is the purchase id, so one purchase's messages are handled one at a time, in order." : "") +
      ` Peek-lock with a ${duration(subscription.lockDurationMs)} lock; after ${subscription.maxDeliveryCount} deliveries a message goes to the dead-letter queue ` +
      `\`${topic.name}/Subscriptions/${subscription.name}/$DeadLetterQueue\` (see \`GET /api/ops/dead-letters\`).`,
    servers: serverRefs,
    messages: messageRefs("servicebus", accepted),
    "x-servicebus": {
      entity: "subscription",
      topic: topic.name,
      requiresSession: subscription.requiresSession,
      lockDuration: duration(subscription.lockDurationMs),
      maxDeliveryCount: subscription.maxDeliveryCount,
      deadLetteringOnMessageExpiration: subscription.deadLetteringOnMessageExpiration,
      rules: subscription.rules,
    },
  };
}

function topicChannel(topic: ServiceBusTopic, messages: readonly DocumentedMessage[]): JsonSchema {
  return {
    address: topic.name,
    title: `${topic.name} topic`,
    summary: `Service Bus topic ${topic.name}: producers send here; consumers receive from its subscriptions.`,
    description:
      "Body: the CloudEvent (JSON); MessageId = the CloudEvent id; CorrelationId = correlationid; Subject = the CloudEvents type; SessionId = the purchase id " +
      "(or the concert id); ContentType = `application/cloudevents+json; charset=utf-8`." +
      (topic.requiresDuplicateDetection ? ` Duplicate detection over ${duration(topic.duplicateDetectionHistoryTimeWindowMs)}: a message re-sent with the same id is dropped.` : ""),
    servers: serverRefs,
    messages: messageRefs("servicebus", messages),
    "x-servicebus": {
      entity: "topic",
      requiresDuplicateDetection: topic.requiresDuplicateDetection,
      duplicateDetectionHistoryTimeWindow: duration(topic.duplicateDetectionHistoryTimeWindowMs),
      defaultMessageTimeToLive: duration(topic.defaultMessageTimeToLiveMs),
      maxMessageSizeInKilobytes: topic.maxMessageSizeInKilobytes,
      subscriptions: topic.subscriptions.map((s) => s.name),
    },
  };
}

function sendOperation(channel: string, messages: readonly DocumentedMessage[], title: string, description: string): JsonSchema {
  return { action: "send", channel: channelRef(channel), title, description, messages: messages.map((m) => channelMessageRef(channel, "servicebus", m)) };
}

/** Send operations: events by the context that owns them, commands and timeouts by the senders in message-producers.ts. */
function sendOperations(topicChannelOf: (kind: DocumentedMessage["kind"]) => string, sent: readonly DocumentedMessage[]): Record<string, JsonSchema> {
  const operations: Record<string, JsonSchema> = {};
  const events = sent.filter((m) => m.kind === "event");
  for (const context of [...new Set(events.map((m) => m.context))].sort()) {
    const channel = topicChannelOf("event");
    operations[`${kebabCase(context)}.publish-events`] = sendOperation(
      channel,
      events.filter((m) => m.context === context),
      `${context} publishes its events`,
      `The ${context} handler appends these events to its streams with an outbox record in the same transaction; the outbox relay sends them (and the sweeper, every 30 s, whatever a crash left).`,
    );
  }
  const commands = sent.filter((m) => m.kind === "command");
  for (const command of commands) {
    if (!commandSenders.some((s) => s.commands.includes(command.name as never))) throw new Error(`Command ${command.name} has no sender: add it to commandSenders in src/docs/message-producers.ts.`);
  }
  for (const sender of commandSenders) {
    const own = commands.filter((m) => sender.commands.includes(m.name as never));
    if (own.length > 0) operations[`${sender.id}.send-commands`] = sendOperation(topicChannelOf("command"), own, `${sender.title} sends commands`, sender.description);
  }
  const timeouts = sent.filter((m) => m.kind === "timeout");
  for (const timeout of timeouts) {
    if (!timeoutSenders.some((s) => s.timeouts.includes(timeout.name as never))) throw new Error(`Timeout ${timeout.name} has no sender: add it to timeoutSenders in src/docs/message-producers.ts.`);
  }
  for (const sender of timeoutSenders) {
    const own = timeouts.filter((m) => sender.timeouts.includes(m.name as never));
    if (own.length > 0) operations[`${sender.id}.schedule-timeouts`] = sendOperation(topicChannelOf("timeout"), own, `${sender.title} schedules timeouts`, sender.description);
  }
  return operations;
}

export function serviceBusChannels(topics: readonly ServiceBusTopic[], routing: MessageRouting, messages: readonly DocumentedMessage[]): ChannelsAndOperations {
  const channels: Record<string, JsonSchema> = {};
  const operations: Record<string, JsonSchema> = {};
  // Producers send the current versions; older ones live on only in stores and the Kafka stream.
  const sent = messages.filter((m) => m.current);
  const topicChannelOf = (kind: DocumentedMessage["kind"]) => `servicebus.${routing.serviceBusTopic[kind]}`;

  for (const topicName of [...new Set(Object.values(routing.serviceBusTopic))].sort()) {
    const topic = topics.find((t) => t.name === topicName);
    if (!topic) throw new Error(`The catalog's messages go to the Service Bus topic "${topicName}", which topology/servicebus.json does not declare.`);
    const onTopic = sent.filter((m) => routing.serviceBusTopic[m.kind] === topicName);
    const topicKey = `servicebus.${topic.name}`;
    channels[topicKey] = topicChannel(topic, onTopic);
    for (const subscription of topic.subscriptions) {
      const accepted = onTopic.filter((m) => subscription.accepts(routedMessageOf(m)));
      const key = `${topicKey}.${subscription.name}`;
      channels[key] = subscriptionChannel(topic, subscription, accepted);
      operations[`${topic.name}.${subscription.name}.receive`] = {
        action: "receive",
        channel: channelRef(key),
        title: `${subscription.name} receives from ${topic.name}`,
        description:
          `The \`${subscription.name}\` consumer (a Service Bus-triggered function) reads each message, upcasts an older version, skips a message its inbox ` +
          "already has, and commits what the message caused (events, outbox records, or its own records) with the inbox entry in one transaction; then the " +
          "message is completed. A failure abandons it for redelivery.",
        messages: accepted.map((m) => channelMessageRef(key, "servicebus", m)),
      };
    }
  }
  Object.assign(operations, sendOperations(topicChannelOf, sent));
  return { channels, operations };
}
