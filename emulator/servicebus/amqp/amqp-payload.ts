/**
 * One message as the emulator keeps it: the bare message's bytes (properties, application-properties, body, footer)
 * exactly as received, plus the header fields and message annotations, which are the only parts re-encoded on
 * delivery. So an int property stays an int, a binary message-id stays binary, and the body is never re-encoded.
 */
import type { MessagePayload, PayloadEditor } from "../model/message-payload.js";
import { amqpTypes, described, encodeTyped, formatUuid, keyOf, scanSections, SECTION, toTyped, type TypedValue, unwrap } from "./codec.js";
import { encodeMessage } from "./delivery-encoding.js";
import { type KeptSpace, reserveKept } from "./kept-bytes.js";
import { copyBytes } from "./copy-bytes.js";
import { firstPropertyIsSet, HAS_MESSAGE_ID, newMessageId, propertiesWithIdLength, UNUSUAL_PROPERTIES, writePropertiesWithId } from "./message-id.js";
import { emptyLayout, scanMessage } from "./message-scan.js";

export interface MessageHeader {
  durable: boolean;
  priority: number;
  ttl: number | undefined;
  firstAcquirer: boolean;
}

/** The header of nearly every message (none sent, or all defaults): shared, so it costs no memory per message. */
const DEFAULT_HEADER: Readonly<MessageHeader> = Object.freeze({ durable: false, priority: 4, ttl: undefined, firstAcquirer: false });

/** Index of each field in the AMQP properties list, by the names SQL filters use after `sys.`. */
const PROPERTY_INDEX: Record<string, number> = {
  messageid: 0,
  userid: 1,
  to: 2,
  label: 3,
  subject: 3,
  replyto: 4,
  correlationid: 5,
  contenttype: 6,
  contentencoding: 7,
  absoluteexpirytime: 8,
  creationtime: 9,
  sessionid: 10,
  groupid: 10,
  groupsequence: 11,
  replytosessionid: 12,
  replytogroupid: 12,
};
const PROPERTY_COUNT = 13;

function propertyValue(index: number, value: unknown): TypedValue {
  if (value === undefined || value === null) return amqpTypes.Null();
  if (index === 6 || index === 7) return amqpTypes.wrap_symbol(String(value));
  if (index === 8 || index === 9) return amqpTypes.wrap_timestamp(value instanceof Date ? value.getTime() : Number(value));
  if (index === 11) return amqpTypes.wrap_uint(Number(value));
  if (index === 0 || index === 5) return typeof value === "string" ? amqpTypes.wrap_string(value) : toTyped(value);
  return amqpTypes.wrap_string(String(value));
}

/** Renders a typed AMQP value for filters: uuids as their string form, everything else unwrapped. */
function plain(value: TypedValue | undefined): unknown {
  if (value === undefined || value.type.name === "Null") return undefined;
  if (value.type.name === "Uuid") return formatUuid(value.value as Buffer);
  return unwrap(value);
}


/**
 * The last decoded properties and application-properties sections, by payload. Filters of a topic's subscriptions
 * read the same message one after the other, so one entry serves them all, and no decoded copy stays with the
 * stored message (it would cost more heap than the message's bytes).
 */
let propsOf: AmqpPayload | undefined;
let propsDecoded: TypedValue[] | null = null;
let appOf: AmqpPayload | undefined;
let appDecoded: TypedValue[] | null = null;

/** Reused by every received() call (single-threaded; read before the next call). */
const layout = emptyLayout();

export class AmqpPayload implements MessagePayload {
  /** Whether the bare bytes are memory of their own (kept-bytes.ts) rather than a view into a transfer. */
  private owned = true;
  /** See MessageFields.observed: set in every instance, so the class keeps one shape. */
  observed: unknown = undefined;

  private constructor(
    readonly header: Readonly<MessageHeader>,
    /** Message annotations as a flat key/value list, as received (undefined when none). */
    readonly annotations: TypedValue[] | undefined,
    /** Holds the bare message (properties + application-properties + body + footer, as received) at [bareStart, bareEnd). */
    private memory: Buffer,
    private bareStart: number,
    private bareEnd: number,
    /** Where the properties section lies in the bare message (start = end when there is none). */
    private readonly propsStart: number,
    private readonly propsEnd: number,
    /** Where the application-properties section lies (or would go) in the bare message. */
    private readonly appStart: number,
    private readonly appEnd: number,
  ) {}

  /** Parses one encoded message (a transfer's payload, or one message of a batch). Call ownBytes() to keep it. */
  static parse(buffer: Buffer): AmqpPayload {
    const spans = scanSections(buffer, (code) => code === SECTION.header || code === SECTION.messageAnnotations);
    let header: Readonly<MessageHeader> = DEFAULT_HEADER;
    let annotations: TypedValue[] | undefined;
    let bareStart = -1;
    let bareEnd = -1;
    let contiguous = true;
    const bareParts: Buffer[] = [];
    let offset = 0;
    let propsStart = -1;
    let propsEnd = -1;
    let appStart = -1;
    let appEnd = -1;
    for (const span of spans) {
      if (span.code === SECTION.header) {
        header = headerFrom(span.value!);
      } else if (span.code === SECTION.messageAnnotations) {
        annotations = annotationsFrom(span.value!);
      } else if (span.code !== SECTION.deliveryAnnotations) {
        const length = span.end - span.start;
        if (span.code === SECTION.properties) [propsStart, propsEnd] = [offset, offset + length];
        if (span.code === SECTION.applicationProperties) [appStart, appEnd] = [offset, offset + length];
        if (bareStart < 0) bareStart = span.start;
        else if (span.start !== bareEnd) contiguous = false;
        bareEnd = span.end;
        bareParts.push(buffer.subarray(span.start, span.end));
        offset += length;
      }
    }
    // Application properties sit after properties; when either is absent, the empty range marks where it goes.
    if (propsStart < 0) propsStart = propsEnd = 0;
    if (appStart < 0) appStart = appEnd = propsEnd;
    if (!contiguous) {
      const { buffer: memory, offset: at } = keptConcat(bareParts, offset);
      return new AmqpPayload(header, annotations, memory, at, at + offset, propsStart, propsEnd, appStart, appEnd);
    }
    // A view into the transfer while the sections are contiguous (nearly always): ownBytes() copies it once final.
    if (bareStart < 0) bareStart = bareEnd = 0;
    const payload = new AmqpPayload(header, annotations, buffer, bareStart, bareEnd, propsStart, propsEnd, appStart, appEnd);
    payload.owned = false;
    return payload;
  }

  /**
   * The message at [start, end) of `buffer` as the store keeps it: with a server-assigned message id when it has
   * none, its bytes copied once into kept memory. Messages in the usual encodings are read from their section
   * headers and written straight to kept memory with the id spliced in; others go through parse().
   */
  static received(buffer: Buffer, start: number, end: number): AmqpPayload {
    const l = layout;
    if (!scanMessage(buffer, start, end, l)) return AmqpPayload.parse(buffer.subarray(start, end)).withMessageId().ownBytes();
    const bareStart = l.bareStart < 0 ? start : l.bareStart;
    const bareEnd = l.bareStart < 0 ? start : l.bareEnd;
    const ps = l.propsStart < 0 ? bareStart : l.propsStart;
    const pe = l.propsStart < 0 ? bareStart : l.propsEnd;
    const propsLength = propertiesWithIdLength(buffer, ps, pe);
    if (propsLength === UNUSUAL_PROPERTIES) return AmqpPayload.parse(buffer.subarray(start, end)).withMessageId().ownBytes();
    // An empty header list (what the SDK sends) or a null one holds only defaults.
    const header = l.headerValue < 0 || l.headerEnd - l.headerValue === 1 ? DEFAULT_HEADER : headerFrom(readValue(buffer, l.headerValue, l.headerEnd));
    const annotations = l.annotationsValue < 0 ? undefined : annotationsFrom(readValue(buffer, l.annotationsValue, l.annotationsEnd));
    // Offsets in the kept bare message: application properties sit after properties, or where they would go.
    const grow = propsLength === HAS_MESSAGE_ID ? 0 : propsLength - (pe - ps);
    const length = bareEnd - bareStart + grow;
    const relPs = ps - bareStart;
    const relPe = pe - bareStart + grow;
    const relAs = l.appStart < 0 ? relPe : l.appStart - bareStart + grow;
    const relAe = l.appStart < 0 ? relPe : l.appEnd - bareStart + grow;
    const { buffer: memory, offset: at } = reserveKept(length);
    if (propsLength === HAS_MESSAGE_ID) {
      copyBytes(buffer, bareStart, bareEnd, memory, at);
    } else {
      copyBytes(buffer, bareStart, ps, memory, at);
      const after = writePropertiesWithId(buffer, ps, pe, memory, at + relPs);
      copyBytes(buffer, pe, bareEnd, memory, after);
    }
    return new AmqpPayload(header, annotations, memory, at, at + length, relPs, relPe, relAs, relAe);
  }

  /**
   * This payload with bytes of its own, not a view into a transfer buffer. Done once, after any rewrite, into memory
   * that holds only kept bytes (kept-bytes.ts).
   */
  ownBytes(): AmqpPayload {
    if (!this.owned) {
      const length = this.bareEnd - this.bareStart;
      const { buffer: memory, offset: at } = reserveKept(length);
      this.memory.copy(memory, at, this.bareStart, this.bareEnd);
      this.memory = memory;
      this.bareStart = at;
      this.bareEnd = at + length;
      this.owned = true;
    }
    return this;
  }

  /** The bare message's bytes (a view: copy it to keep it). */
  get bare(): Buffer {
    return this.memory.subarray(this.bareStart, this.bareEnd);
  }

  get bareLength(): number {
    return this.bareEnd - this.bareStart;
  }

  /** Copies the bare message's bytes to `out` at `at`. */
  copyBareTo(out: Buffer, at: number): void {
    this.memory.copy(out, at, this.bareStart, this.bareEnd);
  }

  get size(): number {
    return this.bareEnd - this.bareStart + 16 + (this.annotations ? this.annotations.length * 16 : 0);
  }

  get timeToLiveMs(): number | undefined {
    return this.header.ttl;
  }

  /** The AMQP properties list (13 fields, missing ones undefined). */
  private properties(): TypedValue[] | null {
    if (propsOf !== this) {
      const s = this.propsStart;
      const e = this.propsEnd;
      propsDecoded = s === e ? null : (readValue(this.memory, this.bareStart + s, this.bareStart + e).value as TypedValue[]);
      propsOf = this; // eslint-disable-line @typescript-eslint/no-this-alias -- the one-entry cache's key
    }
    return propsDecoded;
  }

  private applicationProperties(): TypedValue[] | null {
    if (appOf !== this) {
      const s = this.appStart;
      const e = this.appEnd;
      appDecoded = s === e ? null : (readValue(this.memory, this.bareStart + s, this.bareStart + e).value as TypedValue[]);
      appOf = this; // eslint-disable-line @typescript-eslint/no-this-alias -- the one-entry cache's key
    }
    return appDecoded;
  }

  annotation(key: string): TypedValue | undefined {
    const a = this.annotations;
    if (!a) return undefined;
    for (let i = 0; i + 1 < a.length; i += 2) if (keyOf(a[i]) === key) return a[i + 1];
    return undefined;
  }

  get hasMessageId(): boolean {
    const known = firstPropertyIsSet(this.memory, this.bareStart + this.propsStart, this.bareStart + this.propsEnd);
    if (known !== undefined) return known;
    const p = this.properties();
    return !!p && p.length > 0 && p[0] !== undefined && p[0].type.name !== "Null";
  }

  system(name: string): unknown {
    const key = name.toLowerCase();
    if (key === "timetolive") return this.header.ttl;
    if (key === "partitionkey") return plain(this.annotation("x-opt-partition-key"));
    if (key === "scheduledenqueuetimeutc") return plain(this.annotation("x-opt-scheduled-enqueue-time"));
    const index = PROPERTY_INDEX[key];
    if (index === undefined) return undefined;
    return plain(this.properties()?.[index]);
  }

  user(name: string): unknown {
    const items = this.applicationProperties();
    if (!items) return undefined;
    for (let i = 0; i + 1 < items.length; i += 2) if (keyOf(items[i]) === name) return plain(items[i + 1]);
    return undefined;
  }

  userPropertyNames(): string[] {
    return names(this.applicationProperties());
  }

  /** The typed application property (for tests of type fidelity and for re-encoding). */
  userTyped(name: string): TypedValue | undefined {
    const items = this.applicationProperties();
    if (!items) return undefined;
    for (let i = 0; i + 1 < items.length; i += 2) if (keyOf(items[i]) === name) return items[i + 1];
    return undefined;
  }

  /**
   * A copy with a server-assigned message id when the sender gave none (Azure does this; the SDK relies on it), its
   * bytes already kept. The usual properties sections get the id spliced into their bytes; others are re-encoded.
   */
  withMessageId(): AmqpPayload {
    if (this.hasMessageId) return this;
    const { propsStart: ps, propsEnd: pe, appStart: as, appEnd: ae } = this;
    const base = this.bareStart;
    const propsLength = propertiesWithIdLength(this.memory, base + ps, base + pe);
    if (propsLength < 0) {
      const fields = [...(this.properties() ?? [])];
      fields[0] = amqpTypes.wrap_string(newMessageId());
      return this.rebuild(fields, undefined);
    }
    const grow = propsLength - (pe - ps);
    const length = this.bareEnd - base + grow;
    const { buffer: memory, offset: at } = reserveKept(length);
    this.memory.copy(memory, at, base, base + ps);
    const after = writePropertiesWithId(this.memory, base + ps, base + pe, memory, at + ps);
    this.memory.copy(memory, after, base + pe, this.bareEnd);
    return new AmqpPayload(this.header, this.annotations, memory, at, at + length, ps, ps + propsLength, as + grow, ae + grow);
  }

  withUserProperties(changes: Iterable<readonly [string, unknown]>): AmqpPayload {
    const items = [...(this.applicationProperties() ?? [])];
    let changed = false;
    for (const [key, value] of changes) {
      setEntry(items, key, toTyped(value));
      changed = true;
    }
    return changed ? this.rebuild(undefined, items) : this;
  }

  edit(): PayloadEditor {
    let props: TypedValue[] | undefined;
    let app: TypedValue[] | undefined;
    const base: AmqpPayload = this; // eslint-disable-line @typescript-eslint/no-this-alias -- the editor's closures read the original
    return {
      system: (name) => {
        const index = PROPERTY_INDEX[name.toLowerCase()];
        if (props && index !== undefined) return plain(props[index]);
        return base.system(name);
      },
      userPropertyNames: () => (app ? names(app) : base.userPropertyNames()),
      user: (name) => {
        if (!app) return base.user(name);
        for (let i = 0; i + 1 < app.length; i += 2) if (keyOf(app[i]) === name) return plain(app[i + 1]);
        return undefined;
      },
      setSystem: (name, value) => {
        const index = PROPERTY_INDEX[name.toLowerCase()];
        if (index === undefined) throw new Error(`The system property ${name} cannot be set by a rule action`);
        props ??= [...(base.properties() ?? [])];
        props[index] = propertyValue(index, value);
      },
      setUser: (name, value) => {
        app ??= [...(base.applicationProperties() ?? [])];
        setEntry(app, name, toTyped(value));
      },
      removeUser: (name) => {
        app ??= [...(base.applicationProperties() ?? [])];
        for (let i = 0; i + 1 < app.length; i += 2) {
          if (keyOf(app[i]) === name) {
            app.splice(i, 2);
            return;
          }
        }
      },
      finish: () => (props || app ? base.rebuild(props, app) : base),
    };
  }

  /** Re-encodes the properties and/or application-properties section into kept bytes; the rest keeps its bytes. */
  private rebuild(props: TypedValue[] | undefined, app: TypedValue[] | undefined): AmqpPayload {
    const { propsStart: ps, propsEnd: pe, appStart: as, appEnd: ae } = this;
    const bare = this.bare;
    let propsBytes = bare.subarray(ps, pe);
    if (props) {
      const fields: TypedValue[] = [];
      for (let i = 0; i < PROPERTY_COUNT; i++) fields.push(props[i] ?? amqpTypes.Null());
      while (fields.length > 0 && fields[fields.length - 1].type.name === "Null") fields.pop();
      propsBytes = encodeTyped([described(SECTION.properties, amqpTypes.List32(fields))]);
    }
    let appBytes = bare.subarray(as, ae);
    if (app) appBytes = app.length === 0 ? Buffer.alloc(0) : encodeTyped([described(SECTION.applicationProperties, amqpTypes.Map32(app))]);
    // Layout of bare: [before props][props][between][app][rest]; props always precede app properties.
    const before = bare.subarray(0, ps);
    const between = bare.subarray(pe, as);
    const rest = bare.subarray(ae);
    const parts = [before, propsBytes, between, appBytes, rest];
    const length = parts.reduce((n, p) => n + p.length, 0);
    const { buffer: memory, offset: at } = keptConcat(parts, length);
    const newPs = before.length;
    const newPe = newPs + propsBytes.length;
    const newAs = newPe + between.length;
    return new AmqpPayload(this.header, this.annotations, memory, at, at + length, newPs, newPe, newAs, newAs + appBytes.length);
  }

  /**
   * The message as delivered: a fresh header (with the delivery count) and message annotations (the broker's
   * `x-opt-*` values first, then the sender's own), followed by the bare message's original bytes.
   */
  encode(deliveryCount: number, brokerAnnotations: readonly (readonly [string, TypedValue])[], ttlMs: number | undefined): Buffer {
    // Without broker annotations (the durable mode's stored form) the fixed-layout writer makes the same bytes.
    if (brokerAnnotations.length === 0) return encodeMessage(this.header, deliveryCount, ttlMs ?? this.header.ttl, undefined, this.annotations, this);
    const h = this.header;
    const ttl = ttlMs ?? h.ttl;
    const header = described(
      SECTION.header,
      amqpTypes.List32([
        amqpTypes.wrap_boolean(h.durable),
        amqpTypes.Ubyte(h.priority),
        ttl !== undefined && ttl < 4294967296 ? amqpTypes.wrap_uint(ttl) : amqpTypes.Null(),
        amqpTypes.wrap_boolean(h.firstAcquirer),
        amqpTypes.wrap_uint(deliveryCount),
      ]),
    );
    const items: TypedValue[] = [];
    const own = new Set<string>();
    for (const [k, v] of brokerAnnotations) {
      items.push(amqpTypes.wrap_symbol(k), v);
      own.add(k);
    }
    const a = this.annotations;
    if (a) for (let i = 0; i + 1 < a.length; i += 2) if (!own.has(keyOf(a[i]))) items.push(a[i], a[i + 1]);
    return encodeTyped(items.length > 0 ? [header, described(SECTION.messageAnnotations, amqpTypes.Map32(items))] : [header], this.bare);
  }
}

/** Joins parts into kept memory (kept-bytes.ts); answers where they lie (read it before the next reservation). */
function keptConcat(parts: readonly Buffer[], length: number): Readonly<KeptSpace> {
  const space = reserveKept(length);
  let at = space.offset;
  for (const part of parts) at += part.copy(space.buffer, at);
  return space;
}

/** Decodes the one value at [start, end) of `buffer`. */
function readValue(buffer: Buffer, start: number, end: number): TypedValue {
  return new amqpTypes.Reader(buffer.subarray(start, end)).read();
}

/** The header's fields; the shared default when they are all defaults. */
function headerFrom(value: TypedValue): Readonly<MessageHeader> {
  const f = (value.value ?? []) as TypedValue[];
  const ttl = unwrap(f[2]) as number | null | undefined;
  const read: MessageHeader = {
    durable: Boolean(unwrap(f[0])),
    priority: (unwrap(f[1]) as number | null) ?? 4,
    ttl: typeof ttl === "number" ? ttl : undefined,
    firstAcquirer: Boolean(unwrap(f[3])),
  };
  return read.durable || read.priority !== 4 || read.ttl !== undefined || read.firstAcquirer ? read : DEFAULT_HEADER;
}

/** Message annotations as a flat key/value list; undefined when there are none. */
function annotationsFrom(value: TypedValue): TypedValue[] | undefined {
  const items = (value.value ?? []) as TypedValue[];
  return items.length > 0 ? items : undefined;
}

function names(items: TypedValue[] | null | undefined): string[] {
  const out: string[] = [];
  if (items) for (let i = 0; i + 1 < items.length; i += 2) out.push(keyOf(items[i]));
  return out;
}

function setEntry(items: TypedValue[], key: string, value: TypedValue): void {
  for (let i = 0; i + 1 < items.length; i += 2) {
    if (keyOf(items[i]) === key) {
      items[i + 1] = value;
      return;
    }
  }
  items.push(amqpTypes.wrap_string(key), value);
}
