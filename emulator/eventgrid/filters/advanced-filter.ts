/**
 * One advanced filter evaluated with Azure's semantics:
 * - several values in one filter are ORed;
 * - String* operators compare case-insensitively, and numbers or booleans are compared as their text;
 * - a value of another type than the operator's is ignored (as a missing key);
 * - a missing key is false for every operator except NumberNotIn, NumberNotInRange, StringNotIn and
 *   IsNullOrUndefined (Azure's documented list; the other "Not" string operators are false too);
 * - an array is only looked into with `enableAdvancedFilteringOnArrays`: then a positive operator holds when any
 *   element matches, and a "Not" operator fails when any element matches.
 */
import type { AdvancedFilter } from "../config-types.js";
import type { Lookup } from "./key-lookup.js";

type Candidate = { kind: "number"; value: number } | { kind: "string"; value: string } | { kind: "boolean"; value: boolean };

const NEGATIVE = new Set(["NumberNotIn", "NumberNotInRange", "StringNotContains", "StringNotBeginsWith", "StringNotEndsWith", "StringNotIn"]);
/** Negative operators that hold when the key is missing (Azure's docs). */
const TRUE_WHEN_MISSING = new Set(["NumberNotIn", "NumberNotInRange", "StringNotIn"]);

function candidate(v: unknown): Candidate | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return { kind: "number", value: v };
  if (typeof v === "string") return { kind: "string", value: v };
  if (typeof v === "boolean") return { kind: "boolean", value: v };
  return undefined;
}

function asText(c: Candidate): string {
  return String(c.value).toLowerCase();
}

/** The positive form of each operator on one scalar; undefined when the value's type does not apply. */
function positive(f: AdvancedFilter, c: Candidate): boolean | undefined {
  const strings = () => (f.values ?? []).map((v) => String(v).toLowerCase());
  const numbers = () => (f.values ?? []).filter((v): v is number => typeof v === "number");
  const ranges = () => (f.values ?? []).filter((v): v is number[] => Array.isArray(v));
  switch (f.operatorType) {
    case "NumberIn":
    case "NumberNotIn":
      return c.kind === "number" ? numbers().includes(c.value) : undefined;
    case "NumberInRange":
    case "NumberNotInRange":
      return c.kind === "number" ? ranges().some(([lo, hi]) => c.value >= lo && c.value <= hi) : undefined;
    case "NumberLessThan":
      return c.kind === "number" ? c.value < (f.value as number) : undefined;
    case "NumberGreaterThan":
      return c.kind === "number" ? c.value > (f.value as number) : undefined;
    case "NumberLessThanOrEquals":
      return c.kind === "number" ? c.value <= (f.value as number) : undefined;
    case "NumberGreaterThanOrEquals":
      return c.kind === "number" ? c.value >= (f.value as number) : undefined;
    case "BoolEquals":
      return c.kind === "boolean" ? c.value === f.value : undefined;
    case "StringContains":
    case "StringNotContains":
      return strings().some((s) => asText(c).includes(s));
    case "StringBeginsWith":
    case "StringNotBeginsWith":
      return strings().some((s) => asText(c).startsWith(s));
    case "StringEndsWith":
    case "StringNotEndsWith":
      return strings().some((s) => asText(c).endsWith(s));
    case "StringIn":
    case "StringNotIn":
      return strings().includes(asText(c));
    default:
      return undefined;
  }
}

export function evaluateAdvancedFilter(f: AdvancedFilter, found: Lookup, arraysEnabled: boolean): boolean {
  if (f.operatorType === "IsNullOrUndefined") return !found.found || found.value === null;
  if (f.operatorType === "IsNotNull") return found.found && found.value !== null;
  const negative = NEGATIVE.has(f.operatorType);
  const missing = () => TRUE_WHEN_MISSING.has(f.operatorType);
  if (!found.found) return missing();

  let values: unknown[];
  if (Array.isArray(found.value)) {
    if (!arraysEnabled) return missing();
    values = found.value;
  } else values = [found.value];

  const results = values.map((v) => {
    const c = candidate(v);
    return c === undefined ? undefined : positive(f, c);
  });
  const applicable = results.filter((r): r is boolean => r !== undefined);
  if (applicable.length === 0) return missing();
  // A "Not" operator fails when any element matches the positive form; a positive one holds when any does.
  return negative ? !applicable.some(Boolean) : applicable.some(Boolean);
}
