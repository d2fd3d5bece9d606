/**
 * Entities as the Table endpoint keeps them: keys, system properties and typed property values (the EDM types Table
 * Storage knows), read from and written to the JSON wire format with its `@odata.type` annotations
 * (https://learn.microsoft.com/rest/api/storageservices/payload-format-for-table-service-operations). Types are kept
 * so a value reads back as it was written (an Int64 stays a string of digits, a DateTime stays a DateTime).
 */
import { TableError } from "./errors.js";

const EDM_TYPE_NAMES = [
  "Edm.String",
  "Edm.Int32",
  "Edm.Int64",
  "Edm.Double",
  "Edm.Boolean",
  "Edm.DateTime",
  "Edm.Guid",
  "Edm.Binary",
] as const;
export type EdmType = (typeof EDM_TYPE_NAMES)[number];
export interface TypedValue {
  type: EdmType;
  /** Int64, DateTime, Guid and Binary travel as strings; Double as a number or "NaN" / "Infinity" / "-Infinity". */
  value: string | number | boolean;
}

export interface StoredEntity {
  partitionKey: string;
  rowKey: string;
  /** ISO 8601 with 7 fractional digits, as Azure writes it. */
  timestamp: string;
  etag: string;
  properties: Record<string, TypedValue>;
}

const EDM_TYPES = new Set<string>(EDM_TYPE_NAMES);
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INT32 = (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31;
const INT64 = (text: string) => /^-?\d{1,19}$/.test(text) && BigInt(text) < 2n ** 63n && BigInt(text) >= -(2n ** 63n);
const SYSTEM = new Set(["PartitionKey", "RowKey", "Timestamp"]);
/** Azure's limits: 1 KiB keys, 64 KiB per string or binary value, 1 MiB per entity, 252 properties of one's own. */
const MAX_KEY_BYTES = 1024;
const MAX_VALUE_BYTES = 64 * 1024;
const MAX_ENTITY_BYTES = 1024 * 1024;
const MAX_OWN_PROPERTIES = 252;
const PROPERTY_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;
// eslint-disable-next-line no-control-regex
const BAD_KEY = /[/\\#?\u0000-\u001f\u007f-\u009f]/;

export function validKey(key: unknown, which: "PartitionKey" | "RowKey"): string {
  if (typeof key !== "string") throw TableError.invalidInput(`${which} must be a string.`);
  if (BAD_KEY.test(key) || Buffer.byteLength(key, "utf8") > MAX_KEY_BYTES) throw TableError.invalidKey(which);
  return key;
}

function typed(name: string, raw: unknown, declared: unknown): TypedValue {
  if (declared !== undefined && (typeof declared !== "string" || !EDM_TYPES.has(declared))) {
    throw TableError.invalidValueType(`Unknown type ${String(declared)} of property ${name}.`);
  }
  const type = (declared as EdmType | undefined) ?? inferType(name, raw);
  const bad = () => TableError.invalidValueType(`Property ${name} is not a valid ${type}.`);
  switch (type) {
    case "Edm.String":
      if (typeof raw !== "string") throw bad();
      // Azure counts UTF-16 code units: 32K characters make 64 KiB.
      if (raw.length * 2 > MAX_VALUE_BYTES) throw TableError.propertyValueTooLarge(name);
      return { type, value: raw };
    case "Edm.Boolean":
      if (typeof raw !== "boolean") throw bad();
      return { type, value: raw };
    case "Edm.Int32":
      if (typeof raw !== "number" || !INT32(raw)) throw bad();
      return { type, value: raw };
    case "Edm.Int64":
      if (typeof raw !== "string" || !INT64(raw)) throw bad();
      return { type, value: raw };
    case "Edm.Double":
      if (typeof raw === "number" && Number.isFinite(raw)) return { type, value: raw };
      if (raw === "NaN" || raw === "Infinity" || raw === "-Infinity") return { type, value: raw };
      throw bad();
    case "Edm.DateTime":
      if (typeof raw !== "string" || Number.isNaN(Date.parse(raw))) throw bad();
      return { type, value: raw };
    case "Edm.Guid":
      if (typeof raw !== "string" || !GUID.test(raw)) throw bad();
      return { type, value: raw };
    case "Edm.Binary":
      if (typeof raw !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(raw)) throw bad();
      if (Buffer.from(raw, "base64").length > MAX_VALUE_BYTES) throw TableError.propertyValueTooLarge(name);
      return { type, value: raw };
  }
}

function inferType(name: string, raw: unknown): EdmType {
  if (typeof raw === "string") return "Edm.String";
  if (typeof raw === "boolean") return "Edm.Boolean";
  if (typeof raw === "number") return INT32(raw) ? "Edm.Int32" : "Edm.Double";
  throw TableError.invalidValueType(`Property ${name} is neither a string, a number nor a boolean.`);
}

/** The entity in a request body: its keys (when present) and its own properties, validated as Azure does. */
export interface EntityBody {
  partitionKey?: unknown;
  rowKey?: unknown;
  properties: Record<string, TypedValue>;
}

export function parseEntityBody(body: unknown): EntityBody {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw TableError.invalidInput("The request body must be a JSON object.");
  }
  const json = body as Record<string, unknown>;
  const properties: Record<string, TypedValue> = {};
  let count = 0;
  for (const [name, raw] of Object.entries(json)) {
    if (name.includes("@") || name.startsWith("odata.") || SYSTEM.has(name)) continue;
    // A null is how OData says "no value": Azure stores nothing for it.
    if (raw === null) continue;
    if (!PROPERTY_NAME.test(name)) throw TableError.propertyNameInvalid(name);
    properties[name] = typed(name, raw, json[`${name}@odata.type`]);
    if (++count > MAX_OWN_PROPERTIES) throw TableError.tooManyProperties();
  }
  if (entityBytes(properties) > MAX_ENTITY_BYTES) throw TableError.entityTooLarge();
  return { partitionKey: json.PartitionKey, rowKey: json.RowKey, properties };
}

/** Roughly Azure's accounting: names and values in UTF-16, fixed sizes for numbers. */
function entityBytes(properties: Record<string, TypedValue>): number {
  let bytes = 4;
  for (const [name, { type, value }] of Object.entries(properties)) {
    bytes += 8 + name.length * 2;
    if (type === "Edm.String") bytes += 4 + (value as string).length * 2;
    else if (type === "Edm.Binary") bytes += 4 + Buffer.from(value as string, "base64").length;
    else bytes += 16;
  }
  return bytes;
}

/** Annotations the minimal-metadata JSON carries: every type JSON alone cannot tell apart. */
function needsAnnotation({ type, value }: TypedValue): boolean {
  if (type === "Edm.Double") return typeof value === "string" || Number.isInteger(value);
  return type === "Edm.Int64" || type === "Edm.DateTime" || type === "Edm.Guid" || type === "Edm.Binary";
}

/** An entity in minimal-metadata JSON; `select` keeps only the named properties (the ETag always travels). */
export function entityJson(entity: StoredEntity, select?: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { "odata.etag": entity.etag };
  const wanted = (name: string) => !select || select.includes(name);
  if (wanted("PartitionKey")) out.PartitionKey = entity.partitionKey;
  if (wanted("RowKey")) out.RowKey = entity.rowKey;
  if (wanted("Timestamp")) {
    out["Timestamp@odata.type"] = "Edm.DateTime";
    out.Timestamp = entity.timestamp;
  }
  for (const [name, value] of Object.entries(entity.properties)) {
    if (!wanted(name)) continue;
    if (needsAnnotation(value)) out[`${name}@odata.type`] = value.type;
    out[name] = value.value;
  }
  return out;
}

/** Azure's ETag form for a Timestamp: W/"datetime'<url-encoded timestamp>'". */
export function etagFor(timestamp: string): string {
  return `W/"datetime'${encodeURIComponent(timestamp)}'"`;
}
