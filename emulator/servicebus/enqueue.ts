/**
 * The Service Bus side of `ServiceBusEnqueuer` (common/service-bus-enqueuer.ts): a message handed over by another
 * emulated service (Event Grid's Service Bus destinations) is encoded as a client would send it over AMQP (the body
 * as a data section), parsed into the model's payload and sent to the queue or topic, after the checks the AMQP port
 * applies to a sender. Only this file knows how such a message becomes a model message.
 */
import { EnqueueRefused, type EnqueuedMessage, type ServiceBusEnqueuer } from "../common/service-bus-enqueuer.js";
import { AmqpPayload } from "./amqp/amqp-payload.js";
import { amqpMessage } from "./amqp/codec.js";
import type { Namespace } from "./model/namespace.js";
import { Queue } from "./model/queue.js";
import { Topic } from "./model/topic.js";

function encode(m: EnqueuedMessage): Buffer {
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

export function enqueuerFor(namespace: Namespace): ServiceBusEnqueuer {
  return {
    async enqueue(entityName, m) {
      const entity = namespace.resolve(entityName)?.entity;
      if (!(entity instanceof Queue) && !(entity instanceof Topic)) {
        const text = `The messaging entity '${entityName}' could not be found in namespace '${namespace.name}'.`;
        throw new EnqueueRefused("MessagingEntityNotFound", text);
      }
      const status = entity.options.status;
      if (status === "Disabled" || status === "SendDisabled")
        throw new EnqueueRefused("MessagingEntityDisabled", `Messaging entity '${entity.name}' is currently disabled.`);
      if (entity instanceof Queue && entity.options.requiresSession && m.sessionId === undefined) {
        const text = `The queue '${entity.name}' requires sessions: set a SessionId delivery property.`;
        throw new EnqueueRefused("SessionIdRequired", text);
      }
      const bytes = encode(m);
      if (bytes.length > entity.maxMessageSizeInBytes) {
        const limit = entity.maxMessageSizeInBytes;
        const text = `The message (${bytes.length} bytes) exceeds the entity's limit (${limit} bytes).`;
        throw new EnqueueRefused("MessageSizeExceeded", text);
      }
      entity.send([AmqpPayload.parse(bytes).withMessageId()]);
    },
  };
}
