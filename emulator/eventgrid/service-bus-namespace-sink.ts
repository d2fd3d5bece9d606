/**
 * The Service Bus sink on the Service Bus emulator's own model: each event becomes an AMQP message encoded the way a
 * client would send it (body as a data section, the event JSON), parsed into the model's payload and sent to the queue
 * or topic, with the checks the AMQP port applies to a sender (entity exists, not send-disabled, size limit).
 */
import { amqpMessage } from "../servicebus/amqp/codec.js";
import { AmqpPayload } from "../servicebus/amqp/amqp-payload.js";
import type { Namespace } from "../servicebus/model/namespace.js";
import { Queue } from "../servicebus/model/queue.js";
import { Topic } from "../servicebus/model/topic.js";
import type { ServiceBusSink, ServiceBusSinkMessage } from "./service-bus-sink.js";

class SinkError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function encode(m: ServiceBusSinkMessage): Buffer {
  const message: Record<string, unknown> = {
    body: amqpMessage.data_section(m.body),
    application_properties: m.applicationProperties ?? {},
  };
  if (m.messageId !== undefined) message.message_id = m.messageId;
  if (m.contentType !== undefined) message.content_type = m.contentType;
  if (m.sessionId !== undefined) message.group_id = m.sessionId;
  if (m.correlationId !== undefined) message.correlation_id = m.correlationId;
  if (m.subject !== undefined) message.subject = m.subject;
  if (m.replyTo !== undefined) message.reply_to = m.replyTo;
  if (m.replyToSessionId !== undefined) message.reply_to_group_id = m.replyToSessionId;
  if (m.to !== undefined) message.to = m.to;
  if (m.partitionKey !== undefined) message.message_annotations = { "x-opt-partition-key": m.partitionKey };
  return amqpMessage.encode(message) as Buffer;
}

export function serviceBusSinkFor(namespace: Namespace): ServiceBusSink {
  return {
    async send(entityName, m) {
      const entity = namespace.resolve(entityName)?.entity;
      if (!(entity instanceof Queue) && !(entity instanceof Topic))
        throw new SinkError("MessagingEntityNotFound", `The messaging entity '${entityName}' could not be found in namespace '${namespace.name}'.`);
      const status = entity.options.status;
      if (status === "Disabled" || status === "SendDisabled") throw new SinkError("MessagingEntityDisabled", `Messaging entity '${entity.name}' is currently disabled.`);
      if (entity instanceof Queue && entity.options.requiresSession && m.sessionId === undefined)
        throw new SinkError("SessionQueueNotSupported", `The queue '${entity.name}' requires sessions: set a SessionId delivery property.`);
      const bytes = encode(m);
      if (bytes.length > entity.maxMessageSizeInBytes) throw new SinkError("MessageSizeExceeded", `The message (${bytes.length} bytes) exceeds the entity's limit (${entity.maxMessageSizeInBytes} bytes).`);
      entity.send([AmqpPayload.parse(bytes).withMessageId()]);
    },
  };
}
