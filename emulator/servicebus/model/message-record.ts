import type { MessagePayload } from "./message-payload.js";

export type MessageState = "active" | "deferred" | "scheduled";

/** x-opt-message-state values. */
export const MESSAGE_STATE_CODE: Record<MessageState, number> = { active: 0, deferred: 1, scheduled: 2 };

/**
 * The x-opt-message-state a receiver or peek sees. A message that was scheduled keeps reporting Scheduled once it is
 * active, as Azure does (the JS SDK's live tests accept "scheduled" for a received message for that reason).
 */
export function reportedState(record: Pick<MessageRecord, "state" | "wasScheduled">): number {
  return MESSAGE_STATE_CODE[record.state === "active" && record.wasScheduled ? "scheduled" : record.state];
}

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
  /** Enqueued as a scheduled message (on this entity, or on the topic it came through). */
  wasScheduled?: boolean;
  lockToken: string | undefined;
  lockedUntil: number;
  /** Entity the message was dead-lettered from, when it was forwarded. */
  deadLetterSource?: string;
  /** The message's session (AMQP group-id), kept for session entities and session peeks. */
  sessionId?: string;
  /** How many times auto-forwarding has moved the message so far (Azure allows 4 hops). */
  transferHops?: number;
}
