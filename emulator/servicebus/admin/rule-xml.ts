/**
 * RuleDescription: SqlFilter (with Parameters), CorrelationFilter (with Properties), TrueFilter, FalseFilter, and
 * EmptyRuleAction / SqlRuleAction, to and from the model's RuleDescription. Filters and actions are compiled here so a
 * bad expression is a 400 at create time, never a failure per message. Responses always carry both Filter and Action
 * (the SDK's parser crashes without Action).
 */
import { compileAction, compileFilter, FilterSyntaxError } from "../filters/index.js";
import type { CorrelationValue, FilterDescription, RuleDescription } from "../model/entity-options.js";
import { AdminError } from "./admin-error.js";
import { textOf, XSD_NS, type XmlNode } from "./atom-xml.js";
import { isoDate } from "./description-fields.js";

type SqlFilterWithParameters = FilterDescription & { type: "sql"; parameters?: Record<string, CorrelationValue> };

const CORRELATION_FIELDS = [
  ["CorrelationId", "correlationId"],
  ["MessageId", "messageId"],
  ["To", "to"],
  ["ReplyTo", "replyTo"],
  ["Label", "label"],
  ["SessionId", "sessionId"],
  ["ReplyToSessionId", "replyToSessionId"],
  ["ContentType", "contentType"],
] as const;

function typeOf(node: XmlNode): string {
  const t = node["@_type"];
  return typeof t === "string" ? t.replace(/^.*:/, "") : "";
}

/** `<KeyValueOfstringanyType><Key/><Value i:type="xs:double">5</Value>` pairs as typed values. */
function keyValues(container: unknown, what: string): Record<string, CorrelationValue> | undefined {
  if (!container || typeof container !== "object") return undefined;
  const pairs = ((container as XmlNode).KeyValueOfstringanyType ?? []) as XmlNode[];
  if (pairs.length === 0) return undefined;
  const out: Record<string, CorrelationValue> = {};
  for (const pair of pairs) {
    const key = textOf(pair.Key);
    const valueNode = (typeof pair.Value === "object" && pair.Value !== null ? pair.Value : { "#text": pair.Value }) as XmlNode;
    const raw = textOf(valueNode) ?? "";
    if (!key) throw AdminError.badRequest(`Every entry of ${what} needs a Key.`);
    const type = typeOf(valueNode) || "string";
    switch (type) {
      case "string":
        out[key] = raw;
        break;
      case "boolean":
        out[key] = /^true$/i.test(raw);
        break;
      case "dateTime": {
        const date = new Date(raw);
        if (Number.isNaN(date.getTime())) throw AdminError.badRequest(`The value '${raw}' of ${what} '${key}' is not a dateTime.`);
        out[key] = date;
        break;
      }
      case "int":
      case "long":
      case "short":
      case "double":
      case "float":
      case "decimal": {
        const n = Number(raw);
        if (raw.trim() === "" || !Number.isFinite(n)) throw AdminError.badRequest(`The value '${raw}' of ${what} '${key}' is not a number.`);
        out[key] = n;
        break;
      }
      default:
        throw AdminError.badRequest(`The type '${type}' of ${what} '${key}' is not supported.`);
    }
  }
  return out;
}

function parseFilter(node: XmlNode | undefined): FilterDescription {
  if (!node) return { type: "true" };
  const type = typeOf(node);
  const sql = textOf(node.SqlExpression);
  if (type === "TrueFilter") return { type: "true" };
  if (type === "FalseFilter") return { type: "false" };
  if (type === "CorrelationFilter") {
    const filter: FilterDescription & { type: "correlation" } = { type: "correlation" };
    for (const [element, field] of CORRELATION_FIELDS) {
      const value = textOf(node[element]);
      if (value !== undefined) filter[field] = value;
    }
    const properties = keyValues(node.Properties, "the correlation filter's Properties");
    if (properties) filter.properties = properties;
    if (Object.keys(filter).length === 1) throw AdminError.badRequest("A CorrelationFilter needs at least one property to match.");
    return filter;
  }
  if (type === "SqlFilter" || (type === "" && sql !== undefined)) {
    if (!sql || sql.trim() === "") throw AdminError.badRequest("A SqlFilter needs a SqlExpression.");
    if (sql.length > 1024) throw AdminError.badRequest("The SqlExpression of a filter must be 1024 characters or fewer.");
    const filter: SqlFilterWithParameters = { type: "sql", expression: sql };
    const parameters = keyValues(node.Parameters, "the SQL filter's Parameters");
    if (parameters) filter.parameters = parameters;
    return filter;
  }
  throw AdminError.badRequest(`The filter type '${type}' is not supported; use SqlFilter, CorrelationFilter, TrueFilter or FalseFilter.`);
}

/** A rule from a request; `name` is the one in the URL (Azure ignores a different Name in the body). */
export function parseRuleDescription(node: XmlNode, name: string): RuleDescription {
  const filter = parseFilter(typeof node.Filter === "object" && node.Filter !== null ? (node.Filter as XmlNode) : undefined);
  const rule: RuleDescription = { name, filter };
  const actionNode = typeof node.Action === "object" && node.Action !== null ? (node.Action as XmlNode) : undefined;
  if (actionNode && typeOf(actionNode) !== "EmptyRuleAction") {
    const expression = textOf(actionNode.SqlExpression);
    if (expression && expression.trim() !== "") {
      if (keyValues(actionNode.Parameters, "the rule action's Parameters")) {
        throw AdminError.badRequest("Parameters on a SqlRuleAction are not supported by this emulator; write the values into the expression.");
      }
      rule.action = { type: "sql", expression };
    }
  }
  try {
    compileFilter(rule.filter);
    compileAction(rule.action);
  } catch (err) {
    if (err instanceof FilterSyntaxError) throw AdminError.badRequest(`${err.message} in "${err.expression}".`);
    throw AdminError.badRequest((err as Error).message);
  }
  return rule;
}

function typedValue(value: CorrelationValue): XmlNode {
  let type: string;
  let text: string;
  if (typeof value === "number") {
    type = Number.isInteger(value) && Math.abs(value) < 2 ** 31 ? "int" : "double";
    text = String(value);
  } else if (typeof value === "boolean") {
    type = "boolean";
    text = String(value);
  } else if (value instanceof Date) {
    type = "dateTime";
    text = value.toISOString();
  } else {
    type = "string";
    text = String(value);
  }
  // The SDK reads the type as the attribute value minus its first five characters: the prefix must be 4 long.
  return { "@_i:type": `d6p1:${type}`, "@_xmlns:d6p1": XSD_NS, "#text": text };
}

function keyValueNode(values: Record<string, CorrelationValue>): XmlNode {
  return { KeyValueOfstringanyType: Object.entries(values).map(([Key, v]) => ({ Key, Value: typedValue(v) })) };
}

function filterNode(filter: FilterDescription): XmlNode {
  switch (filter.type) {
    case "true":
      return { "@_i:type": "TrueFilter", SqlExpression: "1=1", CompatibilityLevel: 20 };
    case "false":
      return { "@_i:type": "FalseFilter", SqlExpression: "1=0", CompatibilityLevel: 20 };
    case "sql": {
      const node: XmlNode = { "@_i:type": "SqlFilter", SqlExpression: filter.expression };
      const parameters = (filter as SqlFilterWithParameters).parameters;
      if (parameters && Object.keys(parameters).length > 0) node.Parameters = keyValueNode(parameters);
      node.CompatibilityLevel = 20;
      return node;
    }
    case "correlation": {
      const node: XmlNode = { "@_i:type": "CorrelationFilter" };
      for (const [element, field] of CORRELATION_FIELDS) if (filter[field] !== undefined) node[element] = filter[field];
      if (filter.properties && Object.keys(filter.properties).length > 0) node.Properties = keyValueNode(filter.properties);
      return node;
    }
  }
}

export function ruleDescription(rule: RuleDescription, createdAt: number): XmlNode {
  const action: XmlNode = rule.action
    ? { "@_i:type": "SqlRuleAction", SqlExpression: rule.action.expression, CompatibilityLevel: 20 }
    : { "@_i:type": "EmptyRuleAction" };
  return { Filter: filterNode(rule.filter), Action: action, CreatedAt: isoDate(createdAt), Name: rule.name };
}
