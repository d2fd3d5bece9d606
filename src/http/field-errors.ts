/**
 * What is wrong with each field of a request body, in words a client developer can act on: the zod issues of a
 * failed parse become problem+json `errors` entries (dotted name, JSON Pointer, detail). zod's own messages
 * ("Invalid input: expected int, received number") name the type it wanted but not the rule, so the common issue
 * codes are phrased here (missing, type, whole number, minimum, maximum, one of, format); any other issue keeps its
 * schema message, which is how the schemas' own custom messages reach the client.
 */
import type { z } from "zod";
import { type FieldError, fieldName, jsonPointer } from "./problem.js";

type Issue = z.core.$ZodIssue;

/** What a JSON value is, as the client wrote it ("a string", "an array"...). */
export function jsonKind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "number") return Number.isInteger(value) ? "a whole number" : "a number with a fraction";
  if (typeof value === "string") return "a string";
  if (typeof value === "boolean") return "a boolean";
  if (typeof value === "object") return "an object";
  return typeof value;
}

const EXPECTED: Record<string, string> = {
  object: "a JSON object",
  number: "a number",
  int: "a whole number",
  string: "a string",
  boolean: "true or false",
  array: "an array",
};

const FORMATS: Record<string, string> = {
  email: "must be an e-mail address, e.g. ana@example.com",
  datetime: "must be a date and time with its offset (RFC 3339), e.g. 2027-07-01T20:00:00Z",
};

function bound(issue: { origin: string; inclusive?: boolean }, limit: number | bigint | Date, least: boolean): string {
  const n = String(limit);
  const inclusive = issue.inclusive !== false;
  if (issue.origin === "string") return `must be ${least ? "at least" : "at most"} ${n} character(s) long`;
  if (issue.origin === "array" || issue.origin === "set") {
    return `must have ${least ? "at least" : "at most"} ${n} item(s)`;
  }
  if (least) return inclusive ? `must be ${n} or more` : `must be more than ${n}`;
  return inclusive ? `must be ${n} or less` : `must be less than ${n}`;
}

function detailOf(issue: Issue): string {
  const input = (issue as { input?: unknown }).input;
  // Parsed with reportInput, every issue but a refinement's carries the value sent; none means the field is absent.
  if (input === undefined && issue.code !== "custom") return "is required";
  switch (issue.code) {
    case "invalid_type":
      return `must be ${EXPECTED[issue.expected] ?? issue.expected} (got ${jsonKind(input)})`;
    case "too_small":
      return bound(issue, issue.minimum, true);
    case "too_big":
      return bound(issue, issue.maximum, false);
    case "invalid_value":
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")} (got ${JSON.stringify(input)})`;
    case "invalid_format":
      // A pattern the schema named (a regex with its own message) keeps its words; built-in formats get an example.
      return FORMATS[issue.format] ?? issue.message;
    default:
      return issue.message;
  }
}

/** The `errors` of a validation problem: one per issue, an unknown key as an error of that key. */
export function fieldErrors(error: z.ZodError): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const path = [...issue.path, key];
        out.push({ name: fieldName(path), pointer: jsonPointer(path), detail: "is not a known field" });
      }
      continue;
    }
    out.push({ name: fieldName(issue.path), pointer: jsonPointer(issue.path), detail: detailOf(issue) });
  }
  return out;
}
