/**
 * The records of the Service Bus write-ahead log, in a small binary form (one type byte, then fields): the entity
 * topology, sequence-number high-water marks, messages added, updated and deleted, session states, and stores
 * dropped with their entity. Payloads are the message's AMQP bytes, kept opaque here.
 */
import type { MessageState } from "../model/message-record.js";

export enum LogType {
  Topology = 1,
  SequenceMark = 2,
  Add = 3,
  Update = 4,
  Delete = 5,
  SessionState = 6,
  Drop = 7,
}

const STATES: readonly MessageState[] = ["active", "deferred", "scheduled"];
const STATE_CODE: Record<MessageState, number> = { active: 0, deferred: 1, scheduled: 2 };

/** What survives a restart of one message (lock tokens and lock expiry do not: a locked message is available again). */
export interface StoredMessage {
  sequenceNumber: number;
  enqueuedAt: number;
  expiresAt: number;
  deliveryCount: number;
  state: MessageState;
  deadLetterSource?: string;
  sessionId?: string;
  transferHops?: number;
  wasScheduled?: boolean;
}

export type LogRecord =
  | { type: LogType.Topology; json: string }
  | { type: LogType.SequenceMark; path: string; mark: number }
  | { type: LogType.Add; path: string; message: StoredMessage; payload: Buffer }
  | { type: LogType.Update; path: string; sequenceNumber: number; deliveryCount: number; state: MessageState; payload: Buffer | undefined }
  | { type: LogType.Delete; path: string; sequenceNumber: number }
  | { type: LogType.SessionState; path: string; sessionId: string; state: Buffer | undefined }
  | { type: LogType.Drop; path: string };

const HAS_DLQ_SOURCE = 1;
const HAS_SESSION = 2;
const HAS_HOPS = 4;
const HAS_PAYLOAD = 8;
const WAS_SCHEDULED = 16;

/** Sizes a record's fields first, then writes them into one buffer. */
class Writer {
  private readonly buf: Buffer;
  private pos = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  u8(v: number): this {
    this.buf[this.pos++] = v;
    return this;
  }

  u32(v: number): this {
    this.buf.writeUInt32LE(v, this.pos);
    this.pos += 4;
    return this;
  }

  f64(v: number): this {
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
    return this;
  }

  str(v: string): this {
    const n = this.buf.write(v, this.pos + 4, "utf8");
    this.buf.writeUInt32LE(n, this.pos);
    this.pos += 4 + n;
    return this;
  }

  bytes(v: Buffer): this {
    this.buf.writeUInt32LE(v.length, this.pos);
    v.copy(this.buf, this.pos + 4);
    this.pos += 4 + v.length;
    return this;
  }

  done(): Buffer {
    return this.pos === this.buf.length ? this.buf : this.buf.subarray(0, this.pos);
  }
}

const strSize = (v: string) => 4 + Buffer.byteLength(v, "utf8");

export function encodeAdd(path: string, m: StoredMessage, payload: Buffer): Buffer {
  let flags = 0;
  let size = 1 + strSize(path) + 8 + 8 + 8 + 4 + 1 + 1 + 4 + payload.length;
  if (m.deadLetterSource !== undefined) {
    flags |= HAS_DLQ_SOURCE;
    size += strSize(m.deadLetterSource);
  }
  if (m.sessionId !== undefined) {
    flags |= HAS_SESSION;
    size += strSize(m.sessionId);
  }
  if (m.transferHops) {
    flags |= HAS_HOPS;
    size += 1;
  }
  if (m.wasScheduled) flags |= WAS_SCHEDULED;
  const w = new Writer(size).u8(LogType.Add).str(path).f64(m.sequenceNumber).f64(m.enqueuedAt).f64(m.expiresAt).u32(m.deliveryCount).u8(STATE_CODE[m.state]).u8(flags);
  if (m.deadLetterSource !== undefined) w.str(m.deadLetterSource);
  if (m.sessionId !== undefined) w.str(m.sessionId);
  if (m.transferHops) w.u8(m.transferHops);
  return w.bytes(payload).done();
}

export function encodeUpdate(path: string, sequenceNumber: number, deliveryCount: number, state: MessageState, payload: Buffer | undefined): Buffer {
  const size = 1 + strSize(path) + 8 + 4 + 1 + 1 + (payload ? 4 + payload.length : 0);
  const w = new Writer(size).u8(LogType.Update).str(path).f64(sequenceNumber).u32(deliveryCount).u8(STATE_CODE[state]).u8(payload ? HAS_PAYLOAD : 0);
  if (payload) w.bytes(payload);
  return w.done();
}

export function encodeDelete(path: string, sequenceNumber: number): Buffer {
  return new Writer(1 + strSize(path) + 8).u8(LogType.Delete).str(path).f64(sequenceNumber).done();
}

export function encodeSequenceMark(path: string, mark: number): Buffer {
  return new Writer(1 + strSize(path) + 8).u8(LogType.SequenceMark).str(path).f64(mark).done();
}

export function encodeSessionState(path: string, sessionId: string, state: Buffer | undefined): Buffer {
  const w = new Writer(1 + strSize(path) + strSize(sessionId) + 1 + (state ? 4 + state.length : 0)).u8(LogType.SessionState).str(path).str(sessionId).u8(state ? 1 : 0);
  if (state) w.bytes(state);
  return w.done();
}

export function encodeDrop(path: string): Buffer {
  return new Writer(1 + strSize(path)).u8(LogType.Drop).str(path).done();
}

export function encodeTopology(json: string): Buffer {
  return new Writer(1 + strSize(json)).u8(LogType.Topology).str(json).done();
}

class Reader {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  u8(): number {
    if (this.pos >= this.buf.length) throw new RangeError("log record too short");
    return this.buf[this.pos++];
  }

  u32(): number {
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  f64(): number {
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  str(): string {
    const n = this.u32();
    if (this.pos + n > this.buf.length) throw new RangeError("log record too short");
    const v = this.buf.toString("utf8", this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  bytes(): Buffer {
    const n = this.u32();
    if (this.pos + n > this.buf.length) throw new RangeError("log record too short");
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
}

function stateOf(code: number): MessageState {
  const state = STATES[code];
  if (!state) throw new RangeError(`unknown message state ${code} in the log`);
  return state;
}

/** Decodes one record body; throws RangeError on a record this version cannot read. */
export function decodeRecord(body: Buffer): LogRecord {
  const r = new Reader(body);
  const type = r.u8();
  switch (type) {
    case LogType.Topology:
      return { type, json: r.str() };
    case LogType.SequenceMark:
      return { type, path: r.str(), mark: r.f64() };
    case LogType.Add: {
      const path = r.str();
      const message: StoredMessage = { sequenceNumber: r.f64(), enqueuedAt: r.f64(), expiresAt: r.f64(), deliveryCount: r.u32(), state: stateOf(r.u8()) };
      const flags = r.u8();
      if (flags & HAS_DLQ_SOURCE) message.deadLetterSource = r.str();
      if (flags & HAS_SESSION) message.sessionId = r.str();
      if (flags & HAS_HOPS) message.transferHops = r.u8();
      if (flags & WAS_SCHEDULED) message.wasScheduled = true;
      return { type, path, message, payload: r.bytes() };
    }
    case LogType.Update: {
      const path = r.str();
      const sequenceNumber = r.f64();
      const deliveryCount = r.u32();
      const state = stateOf(r.u8());
      const payload = r.u8() & HAS_PAYLOAD ? r.bytes() : undefined;
      return { type, path, sequenceNumber, deliveryCount, state, payload };
    }
    case LogType.Delete:
      return { type, path: r.str(), sequenceNumber: r.f64() };
    case LogType.SessionState: {
      const path = r.str();
      const sessionId = r.str();
      return { type, path, sessionId, state: r.u8() ? r.bytes() : undefined };
    }
    case LogType.Drop:
      return { type, path: r.str() };
    default:
      throw new RangeError(`unknown log record type ${type}`);
  }
}
