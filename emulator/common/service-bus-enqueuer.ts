/**
 * What another emulated service may ask of Service Bus: put one message on a queue or topic by name. Event Grid's
 * Service Bus destinations depend on this interface only, and the Service Bus service implements it, so neither
 * reaches into the other's model (Event Grid never sees queues, topics or AMQP encoding).
 */

/** The message fields a Service Bus destination can set (Event Grid's delivery properties map onto them). */
export interface EnqueuedMessage {
  body: Buffer;
  contentType?: string;
  messageId?: string;
  sessionId?: string;
  correlationId?: string;
  /** The message's Label / Subject. */
  subject?: string;
  partitionKey?: string;
  replyTo?: string;
  replyToSessionId?: string;
  to?: string;
  applicationProperties?: Record<string, string | number | boolean>;
}

/** Why an enqueue was refused: the `ServiceBusError.code` an SDK sender would have seen. */
export type EnqueueRefusalCode =
  | "MessagingEntityNotFound"
  | "MessagingEntityDisabled"
  | "MessageSizeExceeded"
  | "SessionIdRequired";

/** The one error an enqueue rejects with when Service Bus refuses the message; `code` says why. */
export class EnqueueRefused extends Error {
  constructor(
    readonly code: EnqueueRefusalCode,
    message: string,
  ) {
    super(message);
    this.name = "EnqueueRefused";
  }
}

export interface ServiceBusEnqueuer {
  /**
   * Sends one message to the queue or topic `entity`, with the checks a client's sender gets (entity exists, can
   * receive sends, size limit, session id on a session queue); rejects with EnqueueRefused when one fails.
   */
  enqueue(entity: string, message: EnqueuedMessage): Promise<void>;
}
