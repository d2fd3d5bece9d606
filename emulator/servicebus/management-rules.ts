/**
 * `$management` rule operations on a subscription (ServiceBusRuleManager): add-rule, remove-rule, enumerate-rules.
 * Requests arrive as maps (notes 9.2); enumerate-rules answers with the described types the SDK decodes (notes 9.3).
 */
import { amqpTypes, described, toTyped, type TypedValue } from "./amqp/codec.js";
import { faults } from "./amqp/errors.js";
import { FilterSyntaxError } from "./filters/index.js";
import type { CorrelationValue, FilterDescription, RuleDescription } from "./model/entity-options.js";
import type { Subscription } from "./model/subscription.js";

const CODE = {
  ruleDescription: 0x0000013700000004,
  emptyAction: 0x0000013700000005,
  sqlAction: 0x0000013700000006,
  sqlFilter: 0x0000001370000006,
  trueFilter: 0x0000001370000007,
  falseFilter: 0x0000001370000008,
  correlationFilter: 0x0000001370000009,
};
/** Azure's SQL compatibility level, sent back with SQL filters and actions. */
const COMPATIBILITY_LEVEL = 20;

const CORRELATION_FIELDS = [
  ["correlation-id", "correlationId"],
  ["message-id", "messageId"],
  ["to", "to"],
  ["reply-to", "replyTo"],
  ["label", "label"],
  ["session-id", "sessionId"],
  ["reply-to-session-id", "replyToSessionId"],
  ["content-type", "contentType"],
] as const;

type Map = Record<string, unknown>;

const isMap = (v: unknown): v is Map => !!v && typeof v === "object" && !Array.isArray(v) && !Buffer.isBuffer(v) && !(v instanceof Date);
const text = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

export function addRule(subscription: Subscription, body: Map): void {
  const name = text(body["rule-name"]);
  if (!name) throw faults.badRequest("The request field 'rule-name' must be a non-empty string.");
  const description = body["rule-description"];
  if (!isMap(description)) throw faults.badRequest("The request field 'rule-description' must be a map.");
  const rule: RuleDescription = { name, filter: filterFrom(description) };
  const action = description["sql-rule-action"];
  if (isMap(action) && text(action.expression)) rule.action = { type: "sql", expression: text(action.expression)! };
  try {
    subscription.addRule(rule);
  } catch (err) {
    if (err instanceof FilterSyntaxError) {
      throw faults.argumentError(`Invalid rule '${name}': ${err.message} (expression "${err.expression}", position ${err.position}).`);
    }
    throw err;
  }
}

function filterFrom(description: Map): FilterDescription {
  const sql = description["sql-filter"];
  if (isMap(sql)) {
    const expression = text(sql.expression);
    if (expression === undefined) throw faults.badRequest("The sql-filter needs an 'expression' string.");
    return { type: "sql", expression };
  }
  if ("true-filter" in description) return { type: "true" };
  if ("false-filter" in description) return { type: "false" };
  const correlation = description["correlation-filter"];
  if (isMap(correlation)) {
    const filter: FilterDescription & { type: "correlation" } = { type: "correlation" };
    for (const [wire, field] of CORRELATION_FIELDS) {
      const value = correlation[wire];
      if (value !== undefined && value !== null) filter[field] = String(value);
    }
    if (isMap(correlation.properties)) {
      const properties: Record<string, CorrelationValue> = {};
      for (const [k, v] of Object.entries(correlation.properties)) {
        if (typeof v === "string" || typeof v === "number" || typeof v === "boolean" || v instanceof Date) properties[k] = v;
      }
      filter.properties = properties;
    }
    return filter;
  }
  throw faults.badRequest("The rule-description needs a sql-filter or a correlation-filter.");
}

export function removeRule(subscription: Subscription, body: Map): void {
  const name = text(body["rule-name"]);
  if (!name) throw faults.badRequest("The request field 'rule-name' must be a non-empty string.");
  subscription.removeRule(name);
}

/** The rules from `skip`, at most `top` of them, as `{"rule-description": described list}` entries. */
export function enumerateRules(subscription: Subscription, skip: number, top: number): { "rule-description": TypedValue }[] {
  return subscription.rules.slice(skip, skip + top).map((rule) => ({
    "rule-description": described(CODE.ruleDescription, amqpTypes.wrap_list([encodeFilter(rule.filter), encodeAction(rule), amqpTypes.wrap_string(rule.name)])),
  }));
}

function encodeFilter(filter: FilterDescription): TypedValue {
  switch (filter.type) {
    case "true":
      return described(CODE.trueFilter, amqpTypes.wrap_list([]));
    case "false":
      return described(CODE.falseFilter, amqpTypes.wrap_list([]));
    case "sql":
      return described(CODE.sqlFilter, amqpTypes.wrap_list([amqpTypes.wrap_string(filter.expression), amqpTypes.wrap_int(COMPATIBILITY_LEVEL)]));
    case "correlation": {
      const fields: TypedValue[] = CORRELATION_FIELDS.map(([, field]) => (filter[field] === undefined ? amqpTypes.Null() : amqpTypes.wrap_string(filter[field])));
      const props = filter.properties ?? {};
      fields.push(amqpTypes.wrap_map(Object.fromEntries(Object.entries(props).map(([k, v]) => [k, toTyped(v)]))));
      return described(CODE.correlationFilter, amqpTypes.wrap_list(fields));
    }
  }
}

function encodeAction(rule: RuleDescription): TypedValue {
  if (!rule.action || rule.action.expression.trim() === "") return described(CODE.emptyAction, amqpTypes.wrap_list([]));
  return described(CODE.sqlAction, amqpTypes.wrap_list([amqpTypes.wrap_string(rule.action.expression), amqpTypes.wrap_int(COMPATIBILITY_LEVEL)]));
}
