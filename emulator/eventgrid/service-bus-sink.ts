/**
 * How Event Grid hands events to the Service Bus emulator. `emulator/index.ts` implements it on top of the Service
 * Bus service; Event Grid only needs "send this message to that queue or topic".
 */
export interface ServiceBusSinkMessage {
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

export interface ServiceBusSink {
  /** Sends one message to a queue or topic; rejects (with `code` "MessagingEntityNotFound" and the like) on failure. */
  send(entity: string, message: ServiceBusSinkMessage): Promise<void>;
}
