/**
 * JSON Schema from the zod schemas the code validates with (zod 4's `z.toJSONSchema`), so the documents can never
 * describe a field the code does not check. Two tidy-ups keep the documents readable without loosening anything a
 * reader relies on: zod's own regular expression next to a `format` (date-time, email) is dropped, the format says
 * the same; and the ±2^53-1 bounds zod puts on every `int()` are dropped (JSON numbers past them are not integers
 * any JavaScript reader can hold, and no field of ours comes near).
 */
import { z } from "zod";

export type JsonSchema = { [key: string]: unknown };

export interface JsonSchemaOptions {
  /** AsyncAPI 3.0's default schema format is a superset of draft-07; OpenAPI 3.1 uses draft 2020-12. */
  target: "draft-7" | "draft-2020-12";
  /**
   * "input": what the code accepts (a plain z.object ignores unknown fields, so the schema allows them: readers are
   * tolerant, and adding a field is a compatible change); "output": what the code produces.
   */
  io: "input" | "output";
}

const FORMATS_WITH_OWN_MEANING = new Set(["date-time", "email", "uuid", "uri"]);

function tidy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(tidy);
  if (!value || typeof value !== "object") return value;
  const out: JsonSchema = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === "$schema") continue;
    if (key === "pattern" && FORMATS_WITH_OWN_MEANING.has((value as JsonSchema).format as string)) continue;
    if ((key === "maximum" && v === Number.MAX_SAFE_INTEGER) || (key === "minimum" && v === Number.MIN_SAFE_INTEGER)) continue;
    out[key] = tidy(v);
  }
  return out;
}

export function jsonSchemaOf(schema: z.ZodType, options: JsonSchemaOptions): JsonSchema {
  return tidy(z.toJSONSchema(schema, { target: options.target, io: options.io, unrepresentable: "throw" })) as JsonSchema;
}

/** The top-level property names of an object schema (empty for anything else). */
export function propertyNames(schema: JsonSchema): string[] {
  const properties = schema.properties;
  return properties && typeof properties === "object" ? Object.keys(properties) : [];
}
