import type { MessagePayload } from "./message-payload.js";

export type MessageState = "active" | "deferred" | "scheduled";

/** x-opt-message-state values. */
export const MESSAGE_STATE_CODE: Record<MessageState, number> = { active: 0, deferred: 1, scheduled: 2 };

/** One message in one queue, subscription or dead-letter queue. */
export interface MessageRecord {
  readonly sequenceNumber: number;
  payload: MessagePayload;
  /** When the message became available (for a scheduled message: when it is due to). */
  enqueuedAt: number;
  /** ms since the epoch; Infinity when it never expires. */
  expiresAt: number;
  /** How many times the message has been delivered (locked or received) so far. */
  deliveryCount: number;
  state: MessageState;
  lockToken: string | undefined;
  lockedUntil: number;
  /** Entity the message was dead-lettered from, when it was forwarded. */
  deadLetterSource?: string;
  /** The message's session (AMQP group-id), kept for session entities and session peeks. */
  sessionId?: string;
  /** How many times auto-forwarding has moved the message so far (Azure allows 4 hops). */
  transferHops?: number;
}
