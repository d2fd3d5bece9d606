/**
 * Typed access to rhea's AMQP type system (Reader, Writer, Typed values). rhea's typings do not cover these
 * internals well, so this module is the one place that treats them as `any`.
 */
import rhea from "rhea";

/** An AMQP value with its wire type (rhea's `Typed`). */
export interface TypedValue {
  type: { name: string; typecode: number };
  value: any;
  descriptor?: TypedValue;
}

export const amqpTypes: any = (rhea as any).types;
export const amqpMessage: any = (rhea as any).message;

export const SECTION = {
  header: 0x70,
  deliveryAnnotations: 0x71,
  messageAnnotations: 0x72,
  properties: 0x73,
  applicationProperties: 0x74,
  data: 0x75,
  sequence: 0x76,
  value: 0x77,
  footer: 0x78,
} as const;

const SYMBOLIC_SECTIONS: Record<string, number> = {
  "amqp:header:list": SECTION.header,
  "amqp:delivery-annotations:map": SECTION.deliveryAnnotations,
  "amqp:message-annotations:map": SECTION.messageAnnotations,
  "amqp:properties:list": SECTION.properties,
  "amqp:application-properties:map": SECTION.applicationProperties,
  "amqp:data:binary": SECTION.data,
  "amqp:amqp-sequence:list": SECTION.sequence,
  "amqp:value:*": SECTION.value,
  "amqp:footer:map": SECTION.footer,
};

/** The numeric section code of a described section's descriptor (numeric or symbolic), or -1. */
export function sectionCode(descriptor: TypedValue | undefined): number {
  if (!descriptor) return -1;
  const v = descriptor.value;
  if (typeof v === "number") return v;
  if (typeof v === "string") return SYMBOLIC_SECTIONS[v] ?? -1;
  return -1;
}

export interface SectionSpan {
  code: number;
  start: number;
  end: number;
  /** The decoded value; only for the sections the caller asked to decode. */
  value?: TypedValue;
}

/**
 * Splits an encoded message into its sections without decoding the ones not asked for (the body is never decoded
 * here: its bytes are kept as they came).
 */
export function scanSections(buffer: Buffer, decode: (code: number) => boolean): SectionSpan[] {
  const reader = new amqpTypes.Reader(buffer);
  const spans: SectionSpan[] = [];
  while (reader.remaining() > 0) {
    const start = reader.position;
    const ctor = reader.read_constructor();
    const code = sectionCode(ctor.descriptor);
    const type = amqpTypes.by_code[ctor.typecode];
    if (!type) throw new TypeError(`Unrecognised AMQP type code 0x${ctor.typecode.toString(16)} at byte ${start}`);
    if (decode(code)) {
      const value = reader.read_value(type);
      spans.push({ code, start, end: reader.position, value });
    } else {
      skipValue(reader, type);
      spans.push({ code, start, end: reader.position });
    }
  }
  return spans;
}

/** Moves a reader past one value of `type` without building it. */
function skipValue(reader: any, type: any): void {
  // Category 1 = fixed, 2 = variable, 3 = compound, 4 = array (rhea's TypeDesc); all but fixed carry a size.
  if (type.width === 0) return;
  if (type.category === 1) {
    reader.skip(type.width);
    return;
  }
  const size = reader.read_uint(type.width);
  if (reader.position + size > reader.buffer.length) throw new RangeError("AMQP value runs past the end of the message");
  reader.skip(size);
}

/** Reused by every encode (single-threaded, and each result is copied out before returning). */
let scratch = Buffer.allocUnsafe(64 * 1024);

/** Encodes values and appends `tail` (already-encoded bytes) in one exact-size buffer: one allocation per call. */
export function encodeTyped(values: TypedValue[], tail?: Buffer): Buffer {
  const writer = new amqpTypes.Writer(scratch);
  for (const v of values) writer.write(v);
  if (writer.buffer !== scratch && writer.buffer.length <= 1024 * 1024) scratch = writer.buffer;
  const head: Buffer = writer.buffer.subarray(0, writer.position);
  const out = Buffer.allocUnsafe(head.length + (tail ? tail.length : 0));
  head.copy(out, 0);
  if (tail) tail.copy(out, head.length);
  return out;
}

export function described(code: number, value: TypedValue): TypedValue {
  return amqpTypes.described_nc(amqpTypes.wrap_ulong(code), value);
}

/** Unwraps an AMQP value to plain JS (numbers, strings, Buffers, Dates, arrays, objects). */
export function unwrap(value: TypedValue | undefined): any {
  if (value === undefined) return undefined;
  return amqpTypes.unwrap(value);
}

/** A plain JS value as an AMQP value, with the types SQL actions and the management API expect. */
export function toTyped(value: unknown): TypedValue {
  if (value && typeof value === "object" && "type" in (value as object) && "value" in (value as object)) return value as TypedValue;
  if (typeof value === "number") {
    if (Number.isInteger(value)) return amqpTypes.wrap_long(value);
    return amqpTypes.wrap_double(value);
  }
  if (typeof value === "bigint") return amqpTypes.wrap_long(Number(value));
  if (typeof value === "string") return amqpTypes.wrap_string(value);
  if (typeof value === "boolean") return amqpTypes.wrap_boolean(value);
  if (value instanceof Date) return amqpTypes.wrap_timestamp(value.getTime());
  if (Buffer.isBuffer(value)) return amqpTypes.wrap_binary(value);
  if (value === null || value === undefined) return amqpTypes.Null();
  return amqpTypes.wrap(value);
}

/** Reads the string content of a string or symbol typed value (map keys). */
export function keyOf(value: TypedValue): string {
  return typeof value.value === "string" ? value.value : String(value.value);
}

/** A uuid's 16 bytes (RFC order) in the canonical string form. */
export function formatUuid(bytes: Buffer): string {
  const h = bytes.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
