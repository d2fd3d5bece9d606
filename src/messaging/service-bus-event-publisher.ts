/**
 * Publishes catalog events to a Service Bus topic with the real SDK. The CloudEvent is the JSON body (structured
 * mode); the message also carries what subscriptions filter and route on: the `eventType` application property
 * (SQL filters such as `eventType = 'MusicFest.Ticketing.TicketPurchaseRequested.v1'`), the event id as MessageId (so
 * duplicate detection can drop a re-send) and the correlation id as CorrelationId.
 */
import { ServiceBusClient, type ServiceBusMessage, type ServiceBusSender } from "@azure/service-bus";
import type { ServiceBusConnection } from "../config.js";
import { type CloudEvent, CLOUD_EVENTS_CONTENT_TYPE } from "../events/envelope.js";

export interface EventPublisher {
  publish(events: CloudEvent[]): Promise<void>;
  close(): Promise<void>;
}

export function createServiceBusClient(connection: ServiceBusConnection): ServiceBusClient {
  const options = { retryOptions: { maxRetries: 3, timeoutInMs: 30_000 } };
  return connection.kind === "connectionString"
    ? new ServiceBusClient(connection.connectionString, options)
    : new ServiceBusClient(connection.fullyQualifiedNamespace, connection.credential, options);
}

export function toServiceBusMessage(event: CloudEvent): ServiceBusMessage {
  const purchaseId = (event.data as { purchaseId?: unknown } | undefined)?.purchaseId;
  return {
    body: event,
    contentType: CLOUD_EVENTS_CONTENT_TYPE,
    messageId: event.id,
    correlationId: event.correlationid,
    subject: event.type,
    applicationProperties: { eventType: event.type, ...(typeof purchaseId === "string" ? { purchaseId } : {}) },
  };
}

export class ServiceBusEventPublisher implements EventPublisher {
  private readonly sender: ServiceBusSender;

  constructor(client: ServiceBusClient, topicName: string) {
    this.sender = client.createSender(topicName);
  }

  async publish(events: CloudEvent[]): Promise<void> {
    if (events.length === 0) return;
    // One event goes as one message: an array makes the SDK build (and encode twice) a batch.
    if (events.length === 1) await this.sender.sendMessages(toServiceBusMessage(events[0]));
    else await this.sender.sendMessages(events.map(toServiceBusMessage));
  }

  close(): Promise<void> {
    return this.sender.close();
  }
}
