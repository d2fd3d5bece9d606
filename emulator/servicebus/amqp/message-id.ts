/**
 * The message-id field of an encoded properties section, read and set on its bytes. The SDK never sets a message
 * id, so every message it sends gets one from the server: splicing it into the section's bytes keeps the other
 * fields' bytes exactly as sent and costs no decoding. Sections in any other shape return undefined and the caller
 * decodes them.
 */

/** Descriptor of the properties section as senders write it: 0x00, smallulong 0x73. */
const DESCRIPTOR = [0x00, 0x53, 0x73];
const LIST0 = 0x45;
const LIST8 = 0xc0;
const LIST32 = 0xd0;
const NULL = 0x40;
const STR8 = 0xa1;

interface ListShape {
  /** Offset of the list's constructor. */
  at: number;
  code: number;
  count: number;
  /** Offset of the first element. */
  first: number;
}

function listShape(section: Buffer): ListShape | undefined {
  if (section.length < 4 || section[0] !== DESCRIPTOR[0] || section[1] !== DESCRIPTOR[1] || section[2] !== DESCRIPTOR[2]) return undefined;
  const code = section[3];
  if (code === LIST0) return { at: 3, code, count: 0, first: 4 };
  if (code === LIST8 && section.length >= 6) return { at: 3, code, count: section[5], first: 6 };
  if (code === LIST32 && section.length >= 12) return { at: 3, code, count: section.readUInt32BE(8), first: 12 };
  return undefined;
}

/** Whether the properties section at [start, end) of `bare` has a message id; undefined when its shape is unusual. */
export function firstPropertyIsSet(bare: Buffer, start: number, end: number): boolean | undefined {
  if (start === end) return false;
  const shape = listShape(bare.subarray(start, end));
  if (!shape) return undefined;
  if (shape.count === 0) return false;
  if (start + shape.first >= end) return undefined;
  return bare[start + shape.first] !== NULL;
}

/**
 * The properties section with `id` (ASCII, at most 255 bytes) as its message id, where the section has none; an
 * empty `section` means the message had no properties. Undefined when the section's shape is unusual.
 */
export function withStringMessageId(section: Buffer, id: string): Buffer | undefined {
  const idLength = Buffer.byteLength(id, "latin1");
  if (idLength > 255) return undefined;
  const element = 2 + idLength;
  let shape: ListShape | undefined;
  let rest: Buffer;
  let count: number;
  if (section.length === 0) {
    rest = Buffer.alloc(0);
    count = 1;
  } else {
    shape = listShape(section);
    if (!shape) return undefined;
    if (shape.count === 0) {
      rest = Buffer.alloc(0);
      count = 1;
    } else {
      if (section[shape.first] !== NULL) return undefined;
      // The elements after the null message id, as they were.
      rest = section.subarray(shape.first + 1);
      count = shape.count;
    }
  }
  // List content: count byte(s) + elements. list8 holds up to 255 bytes of size, list32 the rest.
  const small = 1 + element + rest.length <= 255 && count <= 255;
  const headerLength = DESCRIPTOR.length + (small ? 3 : 9);
  const out = Buffer.allocUnsafe(headerLength + element + rest.length);
  out[0] = DESCRIPTOR[0];
  out[1] = DESCRIPTOR[1];
  out[2] = DESCRIPTOR[2];
  if (small) {
    out[3] = LIST8;
    out[4] = 1 + element + rest.length;
    out[5] = count;
  } else {
    out[3] = LIST32;
    out.writeUInt32BE(4 + element + rest.length, 4);
    out.writeUInt32BE(count, 8);
  }
  let at = headerLength;
  out[at++] = STR8;
  out[at++] = idLength;
  at += out.write(id, at, "latin1");
  rest.copy(out, at);
  return out;
}
