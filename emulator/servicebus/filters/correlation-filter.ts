/**
 * Correlation filters: every system property the filter names, and every user property in its `properties`, must be
 * equal in the message. Azure documents a correlation filter as equal to the SQL expression
 * `sys.ReplyTo = '...' AND sys.Label = '...' AND color = 'Red'`, so equality follows the SQL rules: type-aware
 * ('5' does not equal 5; 5 equals 5.0), and a missing property never matches.
 */
import type { CorrelationValue, FilterDescription } from "../model/entity-options.js";
import { FilterSyntaxError } from "./errors.js";
import type { SystemPropertyName } from "./system-properties.js";
import type { CompiledFilter, FilterInput } from "./types.js";
import { readUserProperty } from "./user-properties.js";
import { fromMessageValue, sqlEquals, type SqlValue } from "./values.js";

type CorrelationDescription = Extract<FilterDescription, { type: "correlation" }>;

const SYSTEM_FIELDS: ReadonlyArray<[keyof CorrelationDescription, SystemPropertyName]> = [
  ["correlationId", "CorrelationId"],
  ["messageId", "MessageId"],
  ["to", "To"],
  ["replyTo", "ReplyTo"],
  ["label", "Label"],
  ["sessionId", "SessionId"],
  ["replyToSessionId", "ReplyToSessionId"],
  ["contentType", "ContentType"],
];

type Check = (message: FilterInput) => boolean;

export function compileCorrelationFilter(desc: CorrelationDescription): CompiledFilter {
  const checks: Check[] = [];
  for (const [field, name] of SYSTEM_FIELDS) {
    const expected = desc[field];
    // Fields that arrive as null over AMQP mean "not set", as undefined does.
    if (expected === undefined || expected === null) continue;
    const want = String(expected);
    // System properties such as MessageId may be carried as non-string AMQP ids; compare their text.
    checks.push((m) => {
      const v = m.system(name);
      return v !== undefined && v !== null && (typeof v === "string" ? v === want : String(v) === want);
    });
  }
  for (const [name, value] of Object.entries(desc.properties ?? {})) checks.push(userPropertyCheck(name, value));
  if (checks.length === 0) throw new FilterSyntaxError("", 0, "A correlation filter needs at least one property to match");
  return { matches: (m) => checks.every((check) => check(m)) };
}

function userPropertyCheck(name: string, expected: CorrelationValue | null): Check {
  const want: SqlValue = fromMessageValue(expected);
  if (want === null) return () => false;
  return (m) => {
    const v = fromMessageValue(readUserProperty(m, name));
    return v !== null && sqlEquals(v, want);
  };
}
