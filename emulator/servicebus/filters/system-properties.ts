/**
 * System properties as SQL names them after `sys.`. Azure's docs: "Property names are case-insensitive" and the
 * examples write `sys.label`, `sys.messageid`, `sys.correlationid`; so `sys.` names are matched ignoring case and
 * resolved here, once per rule, to the canonical name the model's `system(name)` expects.
 * Azure says that reading a system property that does not exist is an error; an unknown `sys.` name can never
 * evaluate, so the emulator rejects it when the rule is created rather than failing every message.
 */

export const SYSTEM_PROPERTY_NAMES = [
  "MessageId",
  "CorrelationId",
  "To",
  "ReplyTo",
  "Label",
  "SessionId",
  "ReplyToSessionId",
  "ContentType",
  "SequenceNumber",
  "EnqueuedTimeUtc",
  "ScheduledEnqueueTimeUtc",
  "TimeToLive",
  "DeliveryCount",
  "Size",
  "ExpiresAtUtc",
  "EnqueuedSequenceNumber",
  "PartitionKey",
  "LockToken",
  "DeadLetterSource",
] as const;

export type SystemPropertyName = (typeof SYSTEM_PROPERTY_NAMES)[number];

const byLowerCase = new Map<string, SystemPropertyName>(SYSTEM_PROPERTY_NAMES.map((n) => [n.toLowerCase(), n]));

/** The canonical name, or undefined when `name` is not a system property. */
export function canonicalSystemPropertyName(name: string): SystemPropertyName | undefined {
  return byLowerCase.get(name.toLowerCase());
}

/**
 * What a `SET sys.X = ...` action may write, and the value type it takes. The broker assigns the others (sequence
 * numbers, enqueue time, delivery count, lock token, size, expiry computed from TTL, dead-letter source).
 * TimeToLive is in milliseconds, as the model keeps it.
 */
export const SETTABLE_SYSTEM_PROPERTIES: ReadonlyMap<SystemPropertyName, "string" | "number" | "date"> = new Map([
  ["MessageId", "string"],
  ["CorrelationId", "string"],
  ["To", "string"],
  ["ReplyTo", "string"],
  ["Label", "string"],
  ["SessionId", "string"],
  ["ReplyToSessionId", "string"],
  ["ContentType", "string"],
  ["PartitionKey", "string"],
  ["TimeToLive", "number"],
  ["ScheduledEnqueueTimeUtc", "date"],
]);
