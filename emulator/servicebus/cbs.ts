/**
 * `$cbs` put-token: validates the SAS token the SDK sends for every link (HMAC-SHA256 over `sr + "\n" + se` with
 * the UTF-8 bytes of the key, expiry, key name) and that the audience names an existing entity. A valid token adds
 * a claim to the connection; links attach only to addresses a live claim covers. A token whose audience names
 * another namespace is refused even when signed with the well-known key (namespace-hosts.ts).
 *
 * Token expiry is checked against wall time, not the emulator clock: the SDK signs with its own Date.now(), and a
 * test that moves the emulator clock hours ahead must not invalidate its tokens.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Namespace } from "./model/namespace.js";
import { type AddressedAs, namesThisNamespace } from "./namespace-hosts.js";

export interface SasCredentials {
  keyName: string;
  key: string;
}

export interface PutTokenResult {
  statusCode: number;
  description: string;
}

/** A key pair a token may be signed with, and what a token signed with it may do. */
interface Signer {
  keys: string[];
  rights: readonly Right[];
}

/** What a claim allows: the namespace key allows everything; an entity's SAS rule what its rights say. */
export type Right = "Manage" | "Send" | "Listen";
const ALL_RIGHTS: readonly Right[] = ["Manage", "Send", "Listen"];

/** Claims of one connection: audience path (lower case, no host) -> expiry in wall-clock ms and rights. */
export class ClaimSet {
  private readonly claims = new Map<string, { expiresAt: number; rights: readonly Right[] }>();

  add(path: string, expiresAt: number, rights: readonly Right[] = ALL_RIGHTS): void {
    this.claims.set(normalize(path), { expiresAt, rights });
  }

  /**
   * True when a live claim covers `path` (the same path, a parent entity path, or the whole namespace) and, when
   * `right` is given, grants it (Manage grants Send and Listen too, as Azure's Manage rules hold all three).
   */
  covers(path: string, right?: Right, now = Date.now()): boolean {
    const target = normalize(path);
    for (const [claim, { expiresAt, rights }] of this.claims) {
      if (expiresAt <= now) continue;
      if (claim !== "" && claim !== target && !target.startsWith(claim + "/")) continue;
      if (!right || rights.includes(right) || rights.includes("Manage")) return true;
    }
    return false;
  }
}

function normalize(path: string): string {
  return path.replace(/^\/+|\/+$/g, "").toLowerCase();
}

/** The entity path of an audience such as `sb://localhost:5672/q1/$management` (here `q1/$management`). */
export function audiencePath(audience: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/]*(\/.*)?$/i.exec(audience);
  const path = m ? (m[1] ?? "") : audience;
  try {
    return decodeURIComponent(path).replace(/^\/+|\/+$/g, "");
  } catch {
    return path.replace(/^\/+|\/+$/g, "");
  }
}

/** Strips a trailing `$management` node so the entity itself can be looked up. */
/**
 * A link address as the entity path it names. uamqp-based clients (Python azure-servicebus 7.8) attach to absolute
 * addresses such as `amqps://host/queue`, which Azure accepts as well as `queue`.
 */
export function entityAddressOf(address: string): string {
  return address.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*\/?/i, "");
}

export function entityPathOf(path: string): string {
  return path.replace(/\/?\$management$/i, "");
}

function parseToken(token: string): Record<string, string> | undefined {
  const prefix = "SharedAccessSignature ";
  if (!token.startsWith(prefix)) return undefined;
  const fields: Record<string, string> = {};
  for (const part of token.slice(prefix.length).split("&")) {
    const eq = part.indexOf("=");
    if (eq > 0) fields[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return fields;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export function putToken(
  request: { audience: string; tokenType: string; token: unknown },
  credentials: SasCredentials,
  namespace: Namespace,
  claims: ClaimSet,
  addressed: AddressedAs = {},
  now = Date.now(),
): PutTokenResult {
  if (request.tokenType !== "servicebus.windows.net:sastoken") {
    return { statusCode: 401, description: `InvalidToken: token type '${request.tokenType}' is not supported; use a connection string with a SharedAccessKey.` };
  }
  if (typeof request.token !== "string") return { statusCode: 400, description: "The token must be a string." };
  const fields = parseToken(request.token);
  if (!fields || !fields.sr || !fields.sig || !fields.se || !fields.skn) {
    return { statusCode: 401, description: "InvalidSignature: the token is not a SharedAccessSignature with sr, sig, se and skn." };
  }
  const keyName = safeDecode(fields.skn);
  const scope = audiencePath(safeDecode(fields.sr)).toLowerCase();
  const namespaceKey = { keys: [credentials.key], rights: ALL_RIGHTS };
  const signer = keyName === credentials.keyName ? namespaceKey : entityRule(namespace, scope, keyName);
  if (!signer) return { statusCode: 401, description: `InvalidSignature: unknown SharedAccessKeyName '${keyName}'.` };
  const expiresAt = Number(fields.se) * 1000;
  if (!Number.isFinite(expiresAt) || expiresAt <= now) return { statusCode: 401, description: "ExpiredToken: the token has expired." };
  const given = Buffer.from(safeDecode(fields.sig), "base64");
  const signedWith = (key: string) => {
    const expected = createHmac("sha256", Buffer.from(key, "utf8")).update(`${fields.sr}\n${fields.se}`).digest();
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
  if (!signer.keys.some(signedWith)) {
    return { statusCode: 401, description: "InvalidSignature: The token has an invalid signature." };
  }
  // After the signature check, so a forged token learns nothing about which hosts count as this namespace.
  if (!namesThisNamespace(safeDecode(fields.sr), namespace.name, addressed)) {
    const named = `the token's audience '${safeDecode(fields.sr)}'`;
    const description = `InvalidAudience: ${named} names another namespace than '${namespace.name}'.`;
    return { statusCode: 401, description };
  }
  const path = audiencePath(request.audience);
  if (scope !== "" && path.toLowerCase() !== scope && !path.toLowerCase().startsWith(scope + "/")) {
    return { statusCode: 401, description: `InvalidAudience: the token's scope does not cover '${request.audience}'.` };
  }
  const entityPath = entityPathOf(path);
  if (entityPath !== "" && !namespace.resolve(entityPath)) {
    return { statusCode: 404, description: `The messaging entity '${request.audience}' could not be found. To know more visit https://aka.ms/sbResourceMgrExceptions.` };
  }
  claims.add(path, expiresAt, signer.rights);
  return { statusCode: 202, description: "Accepted" };
}

/**
 * The SAS rule named `keyName` of the queue or topic a token's scope lies in (a subscription's is its topic's):
 * either of its keys signs, for that entity only (the scope check below keeps it there).
 */
function entityRule(namespace: Namespace, scope: string, keyName: string): Signer | undefined {
  const entityPath = entityPathOf(scope);
  if (entityPath === "") return undefined;
  const entity = namespace.resolve(entityPath)?.entity;
  if (!entity) return undefined;
  const owner = entity.kind === "subscription" ? namespace.topics.get(entity.topicName.toLowerCase()) : entity;
  const rule = owner?.options.authorizationRules?.find((r) => r.keyName === keyName);
  return rule ? { keys: [rule.primaryKey, rule.secondaryKey], rights: rule.rights } : undefined;
}
