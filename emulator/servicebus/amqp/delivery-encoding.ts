/** A stored message as sent to a receiver or returned by peek: the broker's annotations around the kept bytes. */
import { MESSAGE_STATE_CODE, type MessageRecord } from "../model/message-record.js";
import { AmqpPayload } from "./amqp-payload.js";
import { amqpTypes, type TypedValue } from "./codec.js";
import { lockTokenToRfcBytes } from "./lock-token.js";

export function encodeRecord(record: MessageRecord, previousDeliveries: number, lockToken?: string): Buffer {
  const payload = record.payload as AmqpPayload;
  const annotations: [string, TypedValue][] = [
    ["x-opt-sequence-number", amqpTypes.wrap_long(record.sequenceNumber)],
    ["x-opt-enqueued-time", amqpTypes.wrap_timestamp(record.enqueuedAt)],
    ["x-opt-message-state", amqpTypes.wrap_int(MESSAGE_STATE_CODE[record.state])],
  ];
  if (lockToken) {
    annotations.push(["x-opt-lock-token", amqpTypes.wrap_uuid(lockTokenToRfcBytes(lockToken))]);
    annotations.push(["x-opt-locked-until", amqpTypes.wrap_timestamp(record.lockedUntil)]);
  }
  if (record.deadLetterSource) annotations.push(["x-opt-deadletter-source", amqpTypes.wrap_string(record.deadLetterSource)]);
  // Receivers compute expiresAtUtc from the header ttl; an entity default applies when the message had none.
  const ttl = payload.timeToLiveMs ?? (record.expiresAt !== Infinity ? record.expiresAt - record.enqueuedAt : undefined);
  return payload.encode(previousDeliveries, annotations, ttl);
}
