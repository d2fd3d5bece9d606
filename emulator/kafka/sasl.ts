/**
 * SASL PLAIN as Event Hubs takes it: user name `$ConnectionString`, password an Event Hubs connection string whose
 * SharedAccessKeyName/SharedAccessKey match a configured policy. SAS tokens (`SharedAccessSignature=`) are refused,
 * as on the real Kafka endpoint. `EntityPath=` scopes the connection to one event hub.
 */
import { timingSafeEqual } from "node:crypto";

export type Right = "Send" | "Listen" | "Manage";

export interface SasPolicy {
  keyName: string;
  key: string;
  rights: readonly Right[];
}

/** The official emulator's well-known credentials. */
export const EMULATOR_KEY_NAME = "RootManageSharedAccessKey";
export const EMULATOR_KEY = "SAS_KEY_VALUE";
export const SASL_USERNAME = "$ConnectionString";

export const defaultPolicies: SasPolicy[] = [{ keyName: EMULATOR_KEY_NAME, key: EMULATOR_KEY, rights: ["Manage", "Send", "Listen"] }];

export interface Principal {
  keyName: string;
  rights: ReadonlySet<Right>;
  /** The event hub the credential is scoped to (EntityPath), if any. */
  entityPath: string | undefined;
}

export class SaslError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SaslError";
  }
}

/** Parses `Key=Value;...` with case-insensitive keys (values may contain '=', as base64 keys do). */
export function parseConnectionString(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(";")) {
    const trimmed = part.trim();
    if (!trimmed) continue;
    const eq = trimmed.indexOf("=");
    if (eq <= 0) continue;
    out.set(trimmed.slice(0, eq).trim().toLowerCase(), trimmed.slice(eq + 1).trim());
  }
  return out;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Checks a PLAIN token (`authzid NUL authcid NUL passwd`, RFC 4616) and returns who authenticated. */
export function authenticatePlain(token: Buffer, policies: readonly SasPolicy[]): Principal {
  const parts = token.toString("utf8").split("\0");
  if (parts.length !== 3) throw new SaslError("Invalid SASL PLAIN token: expected authzid NUL username NUL password.");
  const [, username, password] = parts;
  if (username !== SASL_USERNAME) throw new SaslError(`Invalid SASL username '${username}': expected ${SASL_USERNAME}, with an Event Hubs connection string as the password.`);
  const fields = parseConnectionString(password);
  const endpoint = fields.get("endpoint");
  if (!endpoint || !/^sb:\/\/[^/;]+\/?$/i.test(endpoint)) throw new SaslError("Invalid connection string: Endpoint=sb://<namespace host>/ is required.");
  if (fields.has("sharedaccesssignature")) throw new SaslError("SharedAccessSignature tokens are not supported on the Kafka endpoint; use SharedAccessKeyName and SharedAccessKey.");
  const keyName = fields.get("sharedaccesskeyname");
  const key = fields.get("sharedaccesskey");
  if (!keyName || !key) throw new SaslError("Invalid connection string: SharedAccessKeyName and SharedAccessKey are required.");
  const policy = policies.find((p) => p.keyName === keyName);
  if (!policy || !sameSecret(policy.key, key)) {
    throw new SaslError(`Authentication failed: the SharedAccessKey for policy '${keyName}' is not valid for this namespace.`);
  }
  const rights = new Set<Right>(policy.rights);
  if (rights.has("Manage")) {
    rights.add("Send");
    rights.add("Listen");
  }
  return { keyName, rights, entityPath: fields.get("entitypath") || undefined };
}
