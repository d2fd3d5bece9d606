/**
 * Dead letters with the Service Bus SDK, so the same code works on the emulator and on Azure: list (peek, which
 * locks nothing), inspect one by sequence number, and resubmit one or all.
 *
 * Resubmitting sends a copy to the original entity (for a subscription, its topic: Service Bus sends to nothing
 * else; the copy keeps every application property, so the subscription's filter selects it again), then completes
 * the dead letter. The copy keeps the body, content type, subject, correlation and session ids, without
 * DeadLetterReason/Description. It does NOT keep the MessageId: our topics use duplicate detection, and a dead letter
 * usually reaches the DLQ well inside the detection window, so a copy with the same MessageId would be accepted and
 * silently dropped. The copy's id is `<original id>:resubmit:<dead-letter sequence number>` (the original id also in
 * the `OriginalMessageId` property): a resubmit retried after a crash between send and complete is a duplicate that
 * the broker drops, and consumers that are idempotent on the CloudEvent id in the body still see the same message.
 * A topic's other subscriptions whose filters match get the copy too; their inboxes drop it.
 *
 * Finding one message by sequence number needs a lock (only a locked message can be completed): the messages ahead
 * of it are received and held, then abandoned, which adds one to their delivery count, as Service Bus Explorer does.
 */
import { createHash } from "node:crypto";
import { isServiceBusError, type ServiceBusClient, type ServiceBusMessage, type ServiceBusReceivedMessage, type ServiceBusReceiver } from "@azure/service-bus";
import Long from "long";
import { type DeadLetterEntity, entityPath, resubmitTarget } from "./dead-letter-entity.js";
import { DEAD_LETTER_PROPERTIES, type DeadLetterView, sequenceNumberOf, viewOf } from "./dead-letter-view.js";

export const ORIGINAL_MESSAGE_ID_PROPERTY = "OriginalMessageId";
const MAX_MESSAGE_ID_LENGTH = 128;
const PEEK_PAGE = 250;

export class DeadLetterEntityNotFoundError extends Error {
  constructor(readonly entity: DeadLetterEntity) {
    super(`There is no ${entity.kind} '${entityPath(entity)}'.`);
    this.name = "DeadLetterEntityNotFoundError";
  }
}

export class DeadLetterNotFoundError extends Error {
  constructor(
    readonly entity: DeadLetterEntity,
    readonly sequenceNumber: number,
  ) {
    super(`The dead-letter queue of '${entityPath(entity)}' has no message with sequence number ${sequenceNumber}.`);
    this.name = "DeadLetterNotFoundError";
  }
}

/** The original entity refused the copy (disabled, a session entity and no session id, too large...). */
export class ResubmitRefusedError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ResubmitRefusedError";
  }
}

export interface ResubmitResult {
  entity: string;
  target: string;
  resubmitted: { sequenceNumber: number; messageId: string }[];
}

export interface DeadLettersOptions {
  /** How long a receive waits for messages a peek showed (they are normally there at once). */
  receiveWaitMs?: number;
}

export function resubmittedMessageId(message: ServiceBusReceivedMessage): string {
  const original = String(message.applicationProperties?.[ORIGINAL_MESSAGE_ID_PROPERTY] ?? message.messageId ?? "");
  const id = `${original}:resubmit:${sequenceNumberOf(message)}`;
  if (id.length <= MAX_MESSAGE_ID_LENGTH) return id;
  return `${createHash("sha256").update(original).digest("hex")}:resubmit:${sequenceNumberOf(message)}`;
}

export function resubmitCopy(message: ServiceBusReceivedMessage): ServiceBusMessage {
  const applicationProperties: NonNullable<ServiceBusMessage["applicationProperties"]> = {};
  for (const [k, v] of Object.entries(message.applicationProperties ?? {})) if (!DEAD_LETTER_PROPERTIES.has(k)) applicationProperties[k] = v;
  applicationProperties[ORIGINAL_MESSAGE_ID_PROPERTY] ??= message.messageId === undefined ? "" : String(message.messageId);
  const copy: ServiceBusMessage = { body: message.body, messageId: resubmittedMessageId(message), applicationProperties };
  if (message.contentType !== undefined) copy.contentType = message.contentType;
  if (message.correlationId !== undefined) copy.correlationId = message.correlationId;
  if (message.subject !== undefined) copy.subject = message.subject;
  if (message.sessionId !== undefined) copy.sessionId = message.sessionId;
  if (message.replyTo !== undefined) copy.replyTo = message.replyTo;
  if (message.replyToSessionId !== undefined) copy.replyToSessionId = message.replyToSessionId;
  if (message.to !== undefined) copy.to = message.to;
  return copy;
}

export class DeadLetters {
  private readonly receiveWaitMs: number;

  constructor(
    private readonly client: ServiceBusClient,
    options: DeadLettersOptions = {},
  ) {
    this.receiveWaitMs = options.receiveWaitMs ?? 3_000;
  }

  async list(entity: DeadLetterEntity, options: { max?: number; fromSequenceNumber?: number } = {}): Promise<DeadLetterView[]> {
    const max = options.max ?? 100;
    return this.withReceiver(entity, async (receiver) => (await this.peek(receiver, options.fromSequenceNumber ?? 0, max)).map(viewOf));
  }

  async get(entity: DeadLetterEntity, sequenceNumber: number): Promise<DeadLetterView> {
    return this.withReceiver(entity, async (receiver) => {
      const [message] = await this.peek(receiver, sequenceNumber, 1);
      if (!message || sequenceNumberOf(message) !== sequenceNumber) throw new DeadLetterNotFoundError(entity, sequenceNumber);
      return viewOf(message);
    });
  }

  async resubmit(entity: DeadLetterEntity, sequenceNumber: number): Promise<ResubmitResult> {
    return this.withReceiver(entity, async (receiver) => {
      const ahead = (await this.sequenceNumbers(receiver, sequenceNumber)).filter((n) => n <= sequenceNumber);
      if (ahead.at(-1) !== sequenceNumber) throw new DeadLetterNotFoundError(entity, sequenceNumber);
      return this.resubmitReceived(entity, receiver, new Set([sequenceNumber]), ahead.length);
    });
  }

  /** Resubmits the dead letters present when it starts (at most `max`); dead letters that arrive meanwhile stay. */
  async resubmitAll(entity: DeadLetterEntity, options: { max?: number } = {}): Promise<ResubmitResult> {
    return this.withReceiver(entity, async (receiver) => {
      const wanted = await this.sequenceNumbers(receiver, Number.MAX_SAFE_INTEGER, options.max ?? 5_000);
      return this.resubmitReceived(entity, receiver, new Set(wanted), wanted.length);
    });
  }

  /** Receives (locks) messages in order until every wanted one came, resubmits those, abandons the rest. */
  private async resubmitReceived(entity: DeadLetterEntity, receiver: ServiceBusReceiver, wanted: Set<number>, expected: number): Promise<ResubmitResult> {
    const result: ResubmitResult = { entity: entityPath(entity), target: resubmitTarget(entity), resubmitted: [] };
    if (wanted.size === 0) return result;
    const held: ServiceBusReceivedMessage[] = [];
    const sender = this.client.createSender(resubmitTarget(entity));
    let seen = 0;
    try {
      while (result.resubmitted.length < wanted.size) {
        const batch = await receiver.receiveMessages(Math.min(100, Math.max(1, expected - seen)), { maxWaitTimeInMs: this.receiveWaitMs });
        if (batch.length === 0) break;
        seen += batch.length;
        const mine = batch.filter((m) => wanted.has(sequenceNumberOf(m)));
        held.push(...batch.filter((m) => !wanted.has(sequenceNumberOf(m))));
        if (mine.length === 0) continue;
        const copies = mine.map(resubmitCopy);
        try {
          await sender.sendMessages(copies);
        } catch (err) {
          held.push(...mine);
          throw new ResubmitRefusedError(`'${resubmitTarget(entity)}' refused the resubmitted message(s): ${(err as Error).message}`, { cause: err });
        }
        for (const [i, message] of mine.entries()) {
          await receiver.completeMessage(message);
          result.resubmitted.push({ sequenceNumber: sequenceNumberOf(message), messageId: String(copies[i].messageId) });
        }
      }
    } finally {
      await Promise.allSettled(held.map((m) => receiver.abandonMessage(m)));
      await sender.close();
    }
    if (wanted.size === 1 && result.resubmitted.length === 0) throw new DeadLetterNotFoundError(entity, [...wanted][0]);
    return result;
  }

  /** The dead letters' sequence numbers in order, up to `upTo` and at most `max` of them. */
  private async sequenceNumbers(receiver: ServiceBusReceiver, upTo: number, max = Number.MAX_SAFE_INTEGER): Promise<number[]> {
    const found: number[] = [];
    let from = 0;
    while (found.length < max) {
      const page = await this.peek(receiver, from, Math.min(PEEK_PAGE, max - found.length));
      if (page.length === 0) break;
      for (const m of page) {
        const n = sequenceNumberOf(m);
        if (n > upTo) return found;
        found.push(n);
      }
      from = found.at(-1)! + 1;
    }
    return found;
  }

  private async peek(receiver: ServiceBusReceiver, fromSequenceNumber: number, max: number): Promise<ServiceBusReceivedMessage[]> {
    return receiver.peekMessages(max, { fromSequenceNumber: Long.fromNumber(fromSequenceNumber) });
  }

  private async withReceiver<T>(entity: DeadLetterEntity, use: (receiver: ServiceBusReceiver) => Promise<T>): Promise<T> {
    const options = { subQueueType: "deadLetter" as const, receiveMode: "peekLock" as const };
    const receiver = entity.kind === "queue" ? this.client.createReceiver(entity.queue, options) : this.client.createReceiver(entity.topic, entity.subscription, options);
    try {
      return await use(receiver);
    } catch (err) {
      if (isServiceBusError(err) && err.code === "MessagingEntityNotFound") throw new DeadLetterEntityNotFoundError(entity);
      throw err;
    } finally {
      await receiver.close();
    }
  }
}
