/**
 * Sends outbox records to the Service Bus topics with the real SDK: channel `events` (events and timeouts) to the
 * `events` topic, channel `commands` to the `commands` topic. The CloudEvent is the JSON body (structured mode);
 * the message carries what subscriptions filter and route on:
 *   messageId      the CloudEvent id (deterministic), so duplicate detection drops a second publish;
 *   sessionId      the record's, else the purchase id or concert id in the data (per-purchase ordering);
 *   eventType / commandType   the CloudEvents type, for the subscriptions' SQL filters;
 *   purchaseId / concertId    from the data; Diagnostic-Id and traceparent = the trace context: the message's
 *                             traceparent, or the span of this publish when tracing is on (what the SDK's and the
 *                             Functions host's tracing read, and what the consumer's span becomes a child of);
 *   scheduledEnqueueTimeUtc   for a timeout scheduled for later.
 * Records go in batches per topic and session id (a partitioned entity refuses a batch that mixes sessions).
 */
import { ServiceBusClient, type ServiceBusMessage, type ServiceBusSender } from "@azure/service-bus";
import { type ServiceBusConnection, topology } from "../config.js";
import { catalog, messageNameOf } from "../events/catalog.js";
import { CLOUD_EVENTS_CONTENT_TYPE } from "../events/envelope.js";
import type { OutboxChannel, OutboxMessage } from "../eventstore/event-store.js";
import { tracedPublish } from "../telemetry/publish-tracing.js";

export interface MessageBus {
  /** Sends every message or throws; a partial failure leaves the caller to send them all again (duplicates are dropped). */
  send(messages: readonly OutboxMessage[]): Promise<void>;
  close(): Promise<void>;
}

export function createServiceBusClient(connection: ServiceBusConnection): ServiceBusClient {
  const options = { retryOptions: { maxRetries: 3, timeoutInMs: 30_000 } };
  return connection.kind === "connectionString"
    ? new ServiceBusClient(connection.connectionString, options)
    : new ServiceBusClient(connection.fullyQualifiedNamespace, connection.credential, options);
}

function dataField(data: unknown, field: string): string | undefined {
  const v = (data as Record<string, unknown> | null | undefined)?.[field];
  return typeof v === "string" ? v : undefined;
}

/** The session a message belongs to: the record's, else its purchase, else its concert. */
export function sessionIdOf(record: OutboxMessage): string | undefined {
  return record.sessionId ?? dataField(record.message.data, "purchaseId") ?? dataField(record.message.data, "concertId");
}

export function toServiceBusMessage(record: OutboxMessage, traceparent: string | undefined = record.message.traceparent): ServiceBusMessage {
  const { message } = record;
  const name = messageNameOf(message.type);
  const isCommand = name ? catalog[name].kind === "command" : record.channel === "commands";
  const purchaseId = dataField(message.data, "purchaseId");
  const concertId = dataField(message.data, "concertId");
  const sessionId = sessionIdOf(record);
  return {
    body: message,
    contentType: CLOUD_EVENTS_CONTENT_TYPE,
    messageId: message.id,
    correlationId: message.correlationid,
    subject: message.type,
    ...(sessionId === undefined ? {} : { sessionId }),
    ...(record.scheduledFor === undefined ? {} : { scheduledEnqueueTimeUtc: new Date(record.scheduledFor) }),
    applicationProperties: {
      [isCommand ? "commandType" : "eventType"]: message.type,
      ...(purchaseId === undefined ? {} : { purchaseId }),
      ...(concertId === undefined ? {} : { concertId }),
      ...(traceparent === undefined ? {} : { "Diagnostic-Id": traceparent, traceparent }),
    },
  };
}

export class ServiceBusMessageBus implements MessageBus {
  private readonly senders = new Map<string, ServiceBusSender>();

  constructor(
    private readonly client: ServiceBusClient,
    private readonly topics: Record<OutboxChannel, string> = topology.topics,
  ) {}

  async send(messages: readonly OutboxMessage[]): Promise<void> {
    const items = messages.map((record) => ({ message: record.message, destination: this.topics[record.channel], channel: record.channel }));
    await tracedPublish("servicebus", items, async (traceparents) => {
      const groups = new Map<string, { topic: string; messages: ServiceBusMessage[] }>();
      messages.forEach((record, i) => {
        const topic = this.topics[record.channel];
        const key = `${topic}\n${sessionIdOf(record) ?? ""}`;
        const group = groups.get(key) ?? { topic, messages: [] };
        group.messages.push(toServiceBusMessage(record, traceparents[i]));
        groups.set(key, group);
      });
      await Promise.all([...groups.values()].map(({ topic, messages: group }) => this.sendTo(topic, group)));
    });
  }

  private async sendTo(topic: string, messages: ServiceBusMessage[]): Promise<void> {
    const sender = this.sender(topic);
    // One message goes as one message: an array makes the SDK build (and encode twice) a batch.
    if (messages.length === 1) return sender.sendMessages(messages[0]);
    let batch = await sender.createMessageBatch();
    for (const message of messages) {
      if (batch.tryAddMessage(message)) continue;
      if (batch.count === 0) throw new Error(`Message ${String(message.messageId)} is larger than a Service Bus batch (${batch.maxSizeInBytes} bytes).`);
      await sender.sendMessages(batch);
      batch = await sender.createMessageBatch();
      if (!batch.tryAddMessage(message)) throw new Error(`Message ${String(message.messageId)} is larger than a Service Bus batch (${batch.maxSizeInBytes} bytes).`);
    }
    if (batch.count > 0) await sender.sendMessages(batch);
  }

  private sender(topic: string): ServiceBusSender {
    let sender = this.senders.get(topic);
    if (!sender) {
      sender = this.client.createSender(topic);
      this.senders.set(topic, sender);
    }
    return sender;
  }

  async close(): Promise<void> {
    await Promise.all([...this.senders.values()].map((s) => s.close()));
    this.senders.clear();
  }
}
