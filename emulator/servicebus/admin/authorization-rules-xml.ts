/**
 * Entity-level AuthorizationRules (shared access rules) of queue and topic descriptions: read from a create or update
 * request with the checks Azure's SDKs make (.NET's SharedAccessAuthorizationRule refuses to parse anything else, so
 * what the emulator returns must pass them), and written back in Azure's shape.
 *
 * Checks: at most 12 rules (Azure's quota per entity), unique key names of URL-safe characters, 1 to 3 unique rights
 * among Manage, Send and Listen with Manage only alongside Send and Listen, keys of 44 base64 characters (256 bits).
 * A rule sent without keys gets random ones, as the .NET client would have made them.
 */
import { randomBytes } from "node:crypto";
import type { AccessRight, SharedAccessRule } from "../model/entity-options.js";
import { AdminError } from "./admin-error.js";
import { textOf, type XmlNode } from "./atom-xml.js";
import { isoDate } from "./description-fields.js";

const MAX_RULES = 12;
const RIGHTS: readonly AccessRight[] = ["Manage", "Send", "Listen"];
/** What URL encoding leaves unchanged (the .NET client's test for a key name), at most 256 long. */
const KEY_NAME = /^[A-Za-z0-9\-_.!*()]{1,256}$/;
const KEY = /^[A-Za-z0-9+/]{43}=$/;

function asList(value: unknown): unknown[] {
  if (value === undefined || value === null || value === "") return [];
  return Array.isArray(value) ? value : [value];
}

/** 400 naming the rule, e.g. "The authorization rule 'sender' has no access right." */
function invalid(keyName: string, problem: string): AdminError {
  return AdminError.badRequest(`The authorization rule '${keyName}' ${problem}.`);
}

function generatedKey(): string {
  return randomBytes(32).toString("base64");
}

function parseRights(node: XmlNode, keyName: string): AccessRight[] {
  const rights = node.Rights && typeof node.Rights === "object" ? asList((node.Rights as XmlNode).AccessRights) : [];
  const parsed = rights.map((raw) => {
    const text = textOf(raw) ?? "";
    const right = RIGHTS.find((r) => r === text);
    if (!right) throw invalid(keyName, `has the access right '${text}', not one of ${RIGHTS.join(", ")}`);
    return right;
  });
  if (parsed.length === 0) throw invalid(keyName, "has no access right");
  if (new Set(parsed).size !== parsed.length) throw invalid(keyName, "names an access right twice");
  if (parsed.includes("Manage") && parsed.length !== 3) throw invalid(keyName, "has Manage without Send and Listen");
  return parsed;
}

function parseKey(node: XmlNode, element: "PrimaryKey" | "SecondaryKey", keyName: string): string {
  const key = textOf(node[element]);
  if (key === undefined || key === "") return generatedKey();
  if (!KEY.test(key)) throw invalid(keyName, `has a ${element} that is not 44 base64 characters (a 256-bit key)`);
  return key;
}

function parseRule(node: XmlNode, previous: SharedAccessRule[], now: number): SharedAccessRule {
  const rawType = node["@_type"];
  const type = typeof rawType === "string" ? rawType.replace(/^.*:/, "") : "SharedAccessAuthorizationRule";
  if (type !== "SharedAccessAuthorizationRule") {
    throw AdminError.badRequest(`The rule type '${type}' is not supported: use SharedAccessAuthorizationRule.`);
  }
  const keyName = textOf(node.KeyName) ?? "";
  if (!KEY_NAME.test(keyName)) throw invalid(keyName, "needs a KeyName of 1 to 256 letters, digits and - _ . ! * ( )");
  const rule: SharedAccessRule = {
    keyName,
    rights: parseRights(node, keyName),
    primaryKey: parseKey(node, "PrimaryKey", keyName),
    secondaryKey: parseKey(node, "SecondaryKey", keyName),
    createdAt: now,
    modifiedAt: now,
  };
  const before = previous.find((r) => r.keyName.toLowerCase() === keyName.toLowerCase());
  if (!before) return rule;
  const sameKeys = before.primaryKey === rule.primaryKey && before.secondaryKey === rule.secondaryKey;
  const same = sameKeys && before.rights.join() === rule.rights.join();
  return { ...rule, createdAt: before.createdAt, modifiedAt: same ? before.modifiedAt : now };
}

/**
 * The rules a description asks for: `previous` when it has no AuthorizationRules element (the SDKs leave it out when
 * the caller gave none), undefined when the element is empty.
 */
export function parseAuthorizationRules(
  description: XmlNode,
  previous: SharedAccessRule[] | undefined,
  now: number,
): SharedAccessRule[] | undefined {
  const container = description.AuthorizationRules;
  if (container === undefined) return previous;
  const nodes = container && typeof container === "object" ? asList((container as XmlNode).AuthorizationRule) : [];
  if (nodes.length > MAX_RULES) {
    throw AdminError.badRequest(`An entity can have at most ${MAX_RULES} authorization rules, got ${nodes.length}.`);
  }
  const rules = nodes.map((n) => parseRule((n && typeof n === "object" ? n : {}) as XmlNode, previous ?? [], now));
  const names = new Set(rules.map((r) => r.keyName.toLowerCase()));
  if (names.size !== rules.length) throw AdminError.badRequest("The KeyNames of an entity's rules must be unique.");
  return rules.length > 0 ? rules : undefined;
}

/** The AuthorizationRules element of a description: empty when there are none, as Azure writes it. */
export function authorizationRulesNode(rules: SharedAccessRule[] | undefined): XmlNode | string {
  if (!rules || rules.length === 0) return "";
  return {
    AuthorizationRule: rules.map((rule) => ({
      "@_i:type": "SharedAccessAuthorizationRule",
      ClaimType: "SharedAccessKey",
      ClaimValue: "None",
      Rights: { AccessRights: rule.rights },
      CreatedTime: isoDate(rule.createdAt),
      ModifiedTime: isoDate(rule.modifiedAt),
      KeyName: rule.keyName,
      PrimaryKey: rule.primaryKey,
      SecondaryKey: rule.secondaryKey,
    })),
  };
}
