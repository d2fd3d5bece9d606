/**
 * A read model's view as Table Storage properties: scalars as they are (readable in Storage Explorer, usable in
 * filters), objects and arrays as JSON text, named in `jsonFields` so the row reads back without a schema per table.
 */
import type { RowProperties } from "./row-store.js";

const JSON_FIELDS = "jsonFields";

export function encodeView(view: object): RowProperties {
  const properties: RowProperties = {};
  const json: string[] = [];
  for (const [key, value] of Object.entries(view)) {
    if (value === undefined) continue;
    if (typeof value === "object" && value !== null) {
      properties[key] = JSON.stringify(value);
      json.push(key);
    } else if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
      properties[key] = value;
    } else {
      throw new TypeError(`${key}: a read model holds no ${value === null ? "null" : typeof value}`);
    }
  }
  if (json.length > 0) properties[JSON_FIELDS] = json.join(",");
  return properties;
}

export function decodeView<T>(properties: RowProperties): T {
  const json = new Set(typeof properties[JSON_FIELDS] === "string" ? properties[JSON_FIELDS].split(",") : []);
  const view: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(properties)) {
    if (key === JSON_FIELDS) continue;
    view[key] = json.has(key) ? JSON.parse(String(value)) : value;
  }
  return view as T;
}
