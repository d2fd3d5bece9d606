/**
 * Lock tokens. `$management` carries them as AMQP uuids in RFC byte order; the delivery tag of a transfer carries
 * them in .NET `Guid.ToByteArray()` order (first three groups little-endian), which the SDK reorders back.
 */
import { randomUUID } from "node:crypto";
import { formatUuid } from "./amqp-payload.js";

/** A random (v4) uuid; randomUUID draws from a batched entropy cache, far cheaper per call than randomBytes. */
export function newLockToken(): string {
  return randomUUID();
}

export function lockTokenToRfcBytes(token: string): Buffer {
  return Buffer.from(token.replace(/-/g, ""), "hex");
}

/** The delivery tag for a lock token: bytes 0-3, 4-5 and 6-7 reversed. */
export function lockTokenToDeliveryTag(token: string): Buffer {
  const b = lockTokenToRfcBytes(token);
  return Buffer.from([b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], ...b.subarray(8)]);
}

/** A uuid from `$management` (16 bytes, RFC order) or a string, as the lower-case string form. */
export function lockTokenFrom(value: unknown): string | undefined {
  if (Buffer.isBuffer(value) && value.length === 16) return formatUuid(value);
  if (typeof value === "string" && /^[0-9a-f-]{36}$/i.test(value)) return value.toLowerCase();
  return undefined;
}
