/**
 * The administration API's `Authorization` header: `SharedAccessSignature sig=&se=&skn=&sr=` as the SDK's
 * SasServiceClientCredentials builds it. The HMAC is recomputed over the `sr` received (not one rebuilt from the
 * request URL, which a URL-rewriting pipeline policy may have changed), and the token's scope must cover the path.
 * Expiry is wall time: the SDK signs with its own clock, whatever the emulator clock says. The `sr` must name this
 * namespace (namespace-hosts.ts): the key is well known, so a token minted for another namespace proves nothing.
 * The emulator's other HTTP endpoints that change state use this same check (mutation-guard.ts).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { audiencePath, type SasCredentials } from "../cbs.js";
import { type AddressedAs, namesThisNamespace } from "../namespace-hosts.js";
import { AdminError } from "./admin-error.js";

/** Which namespace the request must be for: its name, and how the client reached the emulator. */
export interface RequestAudience {
  namespaceName: string;
  addressed: AddressedAs;
}

function fieldsOf(token: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const part of token.split("&")) {
    const eq = part.indexOf("=");
    if (eq > 0) fields[part.slice(0, eq).trim()] = part.slice(eq + 1);
  }
  return fields;
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Throws a 401 AdminError unless `header` is a valid SAS token for `path` (entity path, no leading slash). */
export function authorizeAdminRequest(
  header: string | undefined,
  path: string,
  credentials: SasCredentials,
  audience: RequestAudience,
  now = Date.now(),
): void {
  if (!header) throw AdminError.unauthorized("MissingToken: The authorization header was not found.");
  const prefix = "SharedAccessSignature ";
  if (!header.startsWith(prefix)) {
    throw AdminError.unauthorized("InvalidToken: only SharedAccessSignature tokens are accepted here; create the client from a connection string with a SharedAccessKey.");
  }
  const fields = fieldsOf(header.slice(prefix.length));
  if (!fields.sig || !fields.se || !fields.skn || !fields.sr) {
    throw AdminError.unauthorized("InvalidSignature: the token must carry sig, se, skn and sr.");
  }
  if (decode(fields.skn) !== credentials.keyName) throw AdminError.unauthorized(`InvalidSignature: unknown SharedAccessKeyName '${decode(fields.skn)}'.`);
  const expiresAt = Number(fields.se) * 1000;
  if (!Number.isFinite(expiresAt) || expiresAt <= now) throw AdminError.unauthorized("ExpiredToken: The token is expired.");
  const expected = createHmac("sha256", Buffer.from(credentials.key, "utf8")).update(`${fields.sr}\n${fields.se}`).digest();
  const given = Buffer.from(decode(fields.sig), "base64");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw AdminError.unauthorized("InvalidSignature: The token has an invalid signature.");
  }
  if (!namesThisNamespace(decode(fields.sr), audience.namespaceName, audience.addressed)) {
    const named = `the token's audience '${decode(fields.sr)}'`;
    const ours = audience.namespaceName;
    throw AdminError.unauthorized(`InvalidAudience: ${named} names another namespace than '${ours}'.`);
  }
  const scope = audiencePath(decode(fields.sr).replace(/\?.*$/, "")).toLowerCase();
  const target = path.toLowerCase();
  if (scope !== "" && target !== scope && !target.startsWith(`${scope}/`)) {
    throw AdminError.unauthorized(`InvalidAudience: the token's scope '${decode(fields.sr)}' does not cover '${path}'.`);
  }
}
