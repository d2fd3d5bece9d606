/**
 * The message-id field of an encoded properties section, read and set on its bytes. The SDK never sets a message
 * id, so every message it sends gets one from the server: splicing it into the section's bytes keeps the other
 * fields' bytes exactly as sent and costs no decoding. Sections in any other shape are reported as unusual and the
 * caller decodes them.
 *
 * Server-assigned ids are 32 lowercase hex digits of a random (version 4) UUID, as Azure's are, written straight
 * into the section from a pool of random bytes: no UUID string is made per message.
 */
import { randomFillSync } from "node:crypto";
import { copyBytes } from "./copy-bytes.js";

/** Descriptor of the properties section as senders write it: 0x00, smallulong 0x73. */
const DESCRIPTOR = [0x00, 0x53, 0x73];
const LIST0 = 0x45;
const LIST8 = 0xc0;
const LIST32 = 0xd0;
const NULL = 0x40;
const STR8 = 0xa1;

/** Length of a server-assigned message id. */
export const MESSAGE_ID_LENGTH = 32;
/** The id as a str8 element: constructor, length, digits. */
const ID_ELEMENT = 2 + MESSAGE_ID_LENGTH;

/** What propertiesWithIdLength answers besides a length. */
export const HAS_MESSAGE_ID = -1;
export const UNUSUAL_PROPERTIES = -2;

/** The first element's offset and the list's count, as the last readShape() call found them. */
let shapeFirst = 0;
let shapeCount = 0;

function readShape(section: Buffer, start: number, end: number): boolean {
  if (end - start < 4 || section[start] !== DESCRIPTOR[0] || section[start + 1] !== DESCRIPTOR[1] || section[start + 2] !== DESCRIPTOR[2]) return false;
  const code = section[start + 3];
  if (code === LIST0) {
    shapeCount = 0;
    shapeFirst = start + 4;
  } else if (code === LIST8 && end - start >= 6) {
    shapeCount = section[start + 5];
    shapeFirst = start + 6;
  } else if (code === LIST32 && end - start >= 12) {
    shapeCount = section.readUInt32BE(start + 8);
    shapeFirst = start + 12;
  } else {
    return false;
  }
  return shapeCount === 0 || shapeFirst < end;
}

/** Whether the properties section at [start, end) of `bytes` has a message id; undefined when its shape is unusual. */
export function firstPropertyIsSet(bytes: Buffer, start: number, end: number): boolean | undefined {
  if (start === end) return false;
  if (!readShape(bytes, start, end)) return undefined;
  return shapeCount > 0 && bytes[shapeFirst] !== NULL;
}

/**
 * The length of the properties section at [start, end) (start = end: the message has none) once it carries a
 * server-assigned id; HAS_MESSAGE_ID when it has an id already, UNUSUAL_PROPERTIES when its shape is not one this
 * module rewrites.
 */
export function propertiesWithIdLength(bytes: Buffer, start: number, end: number): number {
  let restLength = 0;
  let count = 1;
  if (start !== end) {
    if (!readShape(bytes, start, end)) return UNUSUAL_PROPERTIES;
    if (shapeCount > 0) {
      if (bytes[shapeFirst] !== NULL) return HAS_MESSAGE_ID;
      restLength = end - shapeFirst - 1;
      count = shapeCount;
    }
  }
  return DESCRIPTOR.length + (isSmall(restLength, count) ? 3 : 9) + ID_ELEMENT + restLength;
}

/** list8 holds up to 255 bytes of size (count byte included) and 255 elements; list32 the rest. */
function isSmall(restLength: number, count: number): boolean {
  return 1 + ID_ELEMENT + restLength <= 255 && count <= 255;
}

/**
 * Writes the properties section at [start, end) of `bytes` with a new server-assigned id at `out[at]`; call only
 * after propertiesWithIdLength gave a length. Returns the offset after the written section.
 */
export function writePropertiesWithId(bytes: Buffer, start: number, end: number, out: Buffer, at: number): number {
  let restStart = end;
  let count = 1;
  if (start !== end) {
    readShape(bytes, start, end);
    if (shapeCount > 0) {
      // The elements after the null message id, as they were.
      restStart = shapeFirst + 1;
      count = shapeCount;
    }
  }
  const restLength = end - restStart;
  out[at++] = DESCRIPTOR[0];
  out[at++] = DESCRIPTOR[1];
  out[at++] = DESCRIPTOR[2];
  if (isSmall(restLength, count)) {
    out[at++] = LIST8;
    out[at++] = 1 + ID_ELEMENT + restLength;
    out[at++] = count;
  } else {
    out[at++] = LIST32;
    out.writeUInt32BE(4 + ID_ELEMENT + restLength, at);
    out.writeUInt32BE(count, at + 4);
    at += 8;
  }
  out[at++] = STR8;
  out[at++] = MESSAGE_ID_LENGTH;
  writeRandomId(out, at);
  at += MESSAGE_ID_LENGTH;
  copyBytes(bytes, restStart, end, out, at);
  return at + restLength;
}

const HEX = Buffer.from("0123456789abcdef", "latin1");
const random = Buffer.allocUnsafe(16 * 256);
let randomAt = random.length;

/** 32 hex digits of a random version-4 UUID at `out[at]`. */
function writeRandomId(out: Buffer, at: number): void {
  if (randomAt + 16 > random.length) {
    randomFillSync(random);
    randomAt = 0;
  }
  for (let i = 0; i < 16; i++) {
    let b = random[randomAt + i];
    if (i === 6) b = (b & 0x0f) | 0x40;
    else if (i === 8) b = (b & 0x3f) | 0x80;
    out[at++] = HEX[b >> 4];
    out[at++] = HEX[b & 0x0f];
  }
  randomAt += 16;
}

/** A server-assigned message id as a string (for sections this module does not rewrite). */
export function newMessageId(): string {
  const id = Buffer.allocUnsafe(MESSAGE_ID_LENGTH);
  writeRandomId(id, 0);
  return id.toString("latin1");
}
