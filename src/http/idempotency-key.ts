/**
 * `Idempotency-Key` (IETF draft-ietf-httpapi-idempotency-key-header): a client that retries a POST with the same key
 * gets the same purchase instead of a second one. The purchase id is derived from the key, scoped by the fan (two
 * fans' keys never collide), so a retry sends the same command (dropped by duplicate detection) or finds the
 * purchase already placed; the same key with a different body is refused (422).
 */
import { createHash } from "node:crypto";

export const IDEMPOTENCY_KEY_HEADER = "idempotency-key";
const KEY = /^[\x21-\x7e]{1,255}$/;

export type IdempotencyKey = { ok: true; key: string | undefined } | { ok: false; detail: string };

export function idempotencyKeyOf(headers: { get(name: string): string | null }): IdempotencyKey {
  const raw = headers.get(IDEMPOTENCY_KEY_HEADER);
  if (raw === null) return { ok: true, key: undefined };
  // The draft sends the key as a structured-field string ("..."); a bare token is accepted too.
  const key = raw.trim().replace(/^"(.*)"$/, "$1");
  return KEY.test(key) ? { ok: true, key } : { ok: false, detail: "must be 1 to 255 visible ASCII characters" };
}

/** A UUID (version 8, RFC 9562: custom) from the fan and the key; stable across retries and processes. */
export function purchaseIdFor(fanId: string, key: string): string {
  const hex = createHash("sha256").update(`purchase\n${fanId}\n${key}`).digest("hex").slice(0, 32).split("");
  hex[12] = "8";
  hex[16] = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  const h = hex.join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A short hash of a command's data, part of its message id: a different body under the same id is not a duplicate. */
export function digestOf(data: unknown): string {
  return createHash("sha256").update(JSON.stringify(data)).digest("base64url").slice(0, 16);
}
