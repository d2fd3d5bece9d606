/**
 * Lock tokens. `$management` carries them as AMQP uuids in RFC byte order; the delivery tag of a transfer carries
 * them in .NET `Guid.ToByteArray()` order (first three groups little-endian), which the SDK reorders back. The model
 * keys locks by the string form; the bytes are written straight from it, without intermediate strings or arrays.
 */
import { randomUUID } from "node:crypto";
import { formatUuid } from "./codec.js";

/** A random (v4) uuid; randomUUID draws from a batched entropy cache, far cheaper per call than randomBytes. */
export function newLockToken(): string {
  return randomUUID();
}

/** Value of one hex digit's char code; -1 for anything else. */
const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) HEX[65 + i] = HEX[97 + i] = 10 + i;

/** RFC byte positions in the order the delivery tag holds them. */
const TAG_ORDER = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
const RFC_ORDER = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];

/** Writes the 16 bytes of `token` (canonical 36-char form) at `at`, RFC byte i going to at + order[i] (each order is its own inverse). */
function writeTokenBytes(token: string, out: Buffer, at: number, order: readonly number[]): void {
  let byte = 0;
  for (let i = 0; i < token.length && byte < 16; i++) {
    const c = token.charCodeAt(i);
    if (c === 45) continue; // '-'
    const hi = HEX[c] ?? -1;
    const lo = HEX[token.charCodeAt(++i)] ?? -1;
    if (hi < 0 || lo < 0) throw new TypeError(`not a lock token: ${token}`);
    out[at + order[byte++]] = (hi << 4) | lo;
  }
  if (byte !== 16) throw new TypeError(`not a lock token: ${token}`);
}

/** Writes the token's RFC-order bytes (an AMQP uuid's value) into `out` at `at`. */
export function writeLockToken(token: string, out: Buffer, at: number): void {
  writeTokenBytes(token, out, at, RFC_ORDER);
}

export function lockTokenToRfcBytes(token: string): Buffer {
  const out = Buffer.allocUnsafe(16);
  writeTokenBytes(token, out, 0, RFC_ORDER);
  return out;
}

/** The delivery tag for a lock token: bytes 0-3, 4-5 and 6-7 reversed. */
export function lockTokenToDeliveryTag(token: string): Buffer {
  const out = Buffer.allocUnsafe(16);
  writeTokenBytes(token, out, 0, TAG_ORDER);
  return out;
}

/** A uuid from `$management` (16 bytes, RFC order) or a string, as the lower-case string form. */
export function lockTokenFrom(value: unknown): string | undefined {
  if (Buffer.isBuffer(value) && value.length === 16) return formatUuid(value);
  if (typeof value === "string" && /^[0-9a-f-]{36}$/i.test(value)) return value.toLowerCase();
  return undefined;
}
