/**
 * A stored message as sent to a receiver or returned by peek: a fresh header (with the delivery count) and the
 * broker's `x-opt-*` message annotations (then the sender's own), followed by the kept bare message bytes.
 *
 * Written at fixed positions into one reused scratch buffer, with the annotation keys encoded once: no typed values,
 * arrays or sets per delivery. The bytes are the ones rhea's writer produced for the same values (list32 header,
 * map32 annotations, rhea's choice of small encodings), so receivers see exactly what they saw before.
 */
import { type MessageRecord, reportedState } from "../model/message-record.js";
import type { AmqpPayload, MessageHeader } from "./amqp-payload.js";
import { amqpTypes, keyOf, SECTION, type TypedValue } from "./codec.js";
import { writeLockToken } from "./lock-token.js";

/** The broker's annotations of one delivery. */
export interface BrokerAnnotations {
  sequenceNumber: number;
  enqueuedAt: number;
  state: number;
  lockToken?: string;
  lockedUntil?: number;
  deadLetterSource?: string;
  /**
   * Also write the lock token as delivery annotation x-opt-lock-token: a deferred message returned by
   * `$management` has no delivery tag, and Python's azure-servicebus reads its lock token from there.
   */
  lockTokenInDeliveryAnnotations?: boolean;
}

function symbolBytes(name: string): Buffer {
  return Buffer.concat([Buffer.from([0xa3, name.length]), Buffer.from(name, "latin1")]);
}

const KEY = {
  sequenceNumber: symbolBytes("x-opt-sequence-number"),
  enqueuedTime: symbolBytes("x-opt-enqueued-time"),
  messageState: symbolBytes("x-opt-message-state"),
  lockToken: symbolBytes("x-opt-lock-token"),
  lockedUntil: symbolBytes("x-opt-locked-until"),
  deadLetterSource: symbolBytes("x-opt-deadletter-source"),
};

/** Whether the broker writes annotation `key` in this delivery (then the sender's value of it is left out). */
function writtenByBroker(key: string, broker: BrokerAnnotations): boolean {
  switch (key) {
    case "x-opt-sequence-number":
    case "x-opt-enqueued-time":
    case "x-opt-message-state":
      return true;
    case "x-opt-lock-token":
    case "x-opt-locked-until":
      return broker.lockToken !== undefined;
    case "x-opt-deadletter-source":
      return broker.deadLetterSource !== undefined;
    default:
      return false;
  }
}

const TWO_32 = 4294967296;
/** Everything but a dead-letter source and the sender's own annotations fits in this. */
const FIXED_PART = 320;

let scratch = Buffer.allocUnsafe(64 * 1024);

class HeadWriter {
  at = 0;
  constructor(readonly buf: Buffer) {}

  byte(value: number): void {
    this.buf[this.at++] = value;
  }
  bytes(value: Buffer): void {
    this.at += value.copy(this.buf, this.at);
  }
  /** 64-bit two's complement of a safe integer. */
  int64(value: number): void {
    const hi = Math.floor(value / TWO_32);
    this.buf.writeInt32BE(hi, this.at);
    this.buf.writeUInt32BE(value - hi * TWO_32, this.at + 4);
    this.at += 8;
  }
  /** wrap_uint's choice: uint0, smalluint or uint. */
  uint(value: number): void {
    if (value === 0) this.byte(0x43);
    else if (value <= 255) {
      this.byte(0x52);
      this.byte(value);
    } else {
      this.byte(0x70);
      this.buf.writeUInt32BE(value, this.at);
      this.at += 4;
    }
  }
  /** wrap_long's choice: smalllong or long. */
  long(value: number): void {
    if (value >= -128 && value <= 127) {
      this.byte(0x55);
      this.buf.writeInt8(value, this.at++);
    } else {
      this.byte(0x81);
      this.int64(value);
    }
  }
  /** wrap_int's choice: smallint or int. */
  int(value: number): void {
    if (value >= -128 && value <= 127) {
      this.byte(0x54);
      this.buf.writeInt8(value, this.at++);
    } else {
      this.byte(0x71);
      this.buf.writeInt32BE(value, this.at);
      this.at += 4;
    }
  }
  timestamp(value: number): void {
    this.byte(0x83);
    this.int64(value);
  }
  string(value: string, length: number): void {
    if (length > 255) {
      this.byte(0xb1);
      this.buf.writeUInt32BE(length, this.at);
      this.at += 4;
    } else {
      this.byte(0xa1);
      this.byte(length);
    }
    this.at += this.buf.write(value, this.at, "utf8");
  }
  described(code: number): void {
    this.byte(0x00);
    this.byte(0x53);
    this.byte(code);
  }
  /** Starts a list32 / map32: returns where its size goes; `count` is filled in by endCompound. */
  startCompound(typecode: number): number {
    this.byte(typecode);
    const sizeAt = this.at;
    this.at += 8;
    return sizeAt;
  }
  endCompound(sizeAt: number, count: number): void {
    this.buf.writeUInt32BE(this.at - sizeAt - 4, sizeAt);
    this.buf.writeUInt32BE(count, sizeAt + 4);
  }
}

/** The sender's own annotations that the broker's do not replace, encoded by rhea (rare: most senders set none). */
function ownAnnotations(annotations: TypedValue[] | undefined, skip: (key: string) => boolean): { bytes: Buffer; count: number } | undefined {
  if (!annotations) return undefined;
  const writer = new amqpTypes.Writer();
  let count = 0;
  for (let i = 0; i + 1 < annotations.length; i += 2) {
    if (skip(keyOf(annotations[i]))) continue;
    writer.write(annotations[i]);
    writer.write(annotations[i + 1]);
    count += 2;
  }
  return count > 0 ? { bytes: writer.toBuffer() as Buffer, count } : undefined;
}

/** The bytes of a bare message, wherever they are kept. */
export interface BareMessage {
  readonly bareLength: number;
  copyBareTo(out: Buffer, at: number): void;
}

/**
 * Header + message annotations + `bare`. With `broker` undefined, only the sender's annotations are written (the
 * durable mode's stored form).
 */
export function encodeMessage(
  header: Readonly<MessageHeader>,
  deliveryCount: number,
  ttl: number | undefined,
  broker: BrokerAnnotations | undefined,
  senderAnnotations: TypedValue[] | undefined,
  bare: BareMessage,
): Buffer {
  const own = ownAnnotations(senderAnnotations, (key) => broker !== undefined && writtenByBroker(key, broker));
  const sourceLength = broker?.deadLetterSource !== undefined ? Buffer.byteLength(broker.deadLetterSource) : 0;
  const needed = FIXED_PART + sourceLength + (own ? own.bytes.length : 0);
  if (scratch.length < needed) scratch = Buffer.allocUnsafe(needed);
  const w = new HeadWriter(scratch);

  w.described(SECTION.header);
  const list = w.startCompound(0xd0);
  w.byte(header.durable ? 0x41 : 0x42);
  w.byte(0x50);
  w.byte(header.priority);
  if (ttl !== undefined && ttl < TWO_32) w.uint(ttl);
  else w.byte(0x40);
  w.byte(header.firstAcquirer ? 0x41 : 0x42);
  w.uint(deliveryCount);
  w.endCompound(list, 5);

  if (broker?.lockTokenInDeliveryAnnotations && broker.lockToken !== undefined) {
    w.described(SECTION.deliveryAnnotations);
    const annotations = w.startCompound(0xd1);
    w.bytes(KEY.lockToken);
    w.byte(0x98);
    writeLockToken(broker.lockToken, scratch, w.at);
    w.at += 16;
    w.endCompound(annotations, 2);
  }

  if (broker || own) {
    w.described(SECTION.messageAnnotations);
    const map = w.startCompound(0xd1);
    let count = 0;
    if (broker) {
      w.bytes(KEY.sequenceNumber);
      w.long(broker.sequenceNumber);
      w.bytes(KEY.enqueuedTime);
      w.timestamp(broker.enqueuedAt);
      w.bytes(KEY.messageState);
      w.int(broker.state);
      count += 6;
      if (broker.lockToken !== undefined) {
        w.bytes(KEY.lockToken);
        w.byte(0x98);
        writeLockToken(broker.lockToken, scratch, w.at);
        w.at += 16;
        w.bytes(KEY.lockedUntil);
        w.timestamp(broker.lockedUntil ?? 0);
        count += 4;
      }
      if (broker.deadLetterSource !== undefined) {
        w.bytes(KEY.deadLetterSource);
        w.string(broker.deadLetterSource, sourceLength);
        count += 2;
      }
    }
    if (own) {
      w.bytes(own.bytes);
      count += own.count;
    }
    w.endCompound(map, count);
  }

  const out = Buffer.allocUnsafe(w.at + bare.bareLength);
  scratch.copy(out, 0, 0, w.at);
  bare.copyBareTo(out, w.at);
  return out;
}

/** A deferred message as `$management` returns it: its lock token also in its delivery annotations. */
export function encodeDeferredRecord(record: MessageRecord, previousDeliveries: number, lockToken?: string): Buffer {
  return encodeRecord(record, previousDeliveries, lockToken, true);
}

export function encodeRecord(
  record: MessageRecord,
  previousDeliveries: number,
  lockToken?: string,
  tokenInDelivery = false,
): Buffer {
  const payload = record.payload as AmqpPayload;
  const broker: BrokerAnnotations = {
    sequenceNumber: record.sequenceNumber,
    enqueuedAt: record.enqueuedAt,
    state: reportedState(record),
    lockToken: lockToken || undefined,
    lockedUntil: record.lockedUntil,
    deadLetterSource: record.deadLetterSource || undefined,
    lockTokenInDeliveryAnnotations: tokenInDelivery,
  };
  // Receivers compute expiresAtUtc from the header ttl; an entity default applies when the message had none.
  const ttl = payload.timeToLiveMs ?? (record.expiresAt !== Infinity ? record.expiresAt - record.enqueuedAt : undefined);
  return encodeMessage(payload.header, previousDeliveries, ttl, broker, payload.annotations, payload);
}
