/**
 * What happens to an IssueTickets command that meets the provider's open circuit: it is sent again to the
 * `commands` topic as a scheduled message, due when the circuit lets a probe through, and the delivery in hand then
 * completes. Nothing is lost, and the breaker alone never dead-letters a command.
 *
 * Why not throw and let Service Bus redeliver, as for other failures: Service Bus has no delayed abandon; an
 * abandoned message is available again at once and its delivery count grows, so a command would burn its
 * MaxDeliveryCount (5) against an open circuit within milliseconds and land in the dead-letter queue (see
 * https://learn.microsoft.com/dotnet/api/azure.messaging.servicebus.servicebusreceiver.abandonmessageasync and the
 * feature request Azure/azure-service-bus#454; the Functions Service Bus trigger has no retry policy with delays
 * either). A scheduled copy is the pattern Azure users apply instead.
 *
 * The copy carries the same CloudEvent (same id: the handler's inbox and the provider's idempotency key see one
 * command) under a new Service Bus MessageId, `<first message id>~deferred-<n>`: the topic's duplicate detection
 * would drop a copy with an id it has already seen. Sending the copy before the delivery completes means a crash in
 * between leaves two deliveries of one command, which the inbox and the provider's idempotency make harmless.
 */
import type { ServiceBusClient, ServiceBusSender } from "@azure/service-bus";
import { topology } from "../../config.js";
import type { CloudEvent } from "../../events/envelope.js";
import { toServiceBusMessage } from "../../messaging/service-bus-message-bus.js";
import { tracedPublish } from "../../telemetry/publish-tracing.js";

export interface CommandDeferral {
  /** Sends `command` again, due at `at`; returns the copy's Service Bus MessageId. */
  defer(command: CloudEvent, at: Date, receivedMessageId?: string): Promise<string>;
}

const DEFERRED_SUFFIX = /~deferred-(\d+)$/;

/** `<id>~deferred-1` for a first deferral, `<id>~deferred-<n+1>` for a copy that was itself deferred n times. */
export function deferredMessageId(receivedMessageId: string): string {
  const match = DEFERRED_SUFFIX.exec(receivedMessageId);
  const base = match ? receivedMessageId.slice(0, match.index) : receivedMessageId;
  return `${base}~deferred-${match ? Number(match[1]) + 1 : 1}`;
}

export class ServiceBusCommandDeferral implements CommandDeferral {
  private sender: ServiceBusSender | undefined;

  constructor(
    private readonly client: ServiceBusClient,
    private readonly topic: string = topology.topics.commands,
  ) {}

  async defer(command: CloudEvent, at: Date, receivedMessageId: string = command.id): Promise<string> {
    const messageId = deferredMessageId(receivedMessageId);
    const item = { message: command, destination: this.topic, channel: "commands" as const };
    await tracedPublish("servicebus", [item], async ([traceparent]) => {
      const record = { message: command, channel: "commands" as const, scheduledFor: at.toISOString() };
      const message = toServiceBusMessage(record, traceparent);
      this.sender ??= this.client.createSender(this.topic);
      await this.sender.sendMessages({ ...message, messageId });
    });
    return messageId;
  }

  async close(): Promise<void> {
    await this.sender?.close();
  }
}
