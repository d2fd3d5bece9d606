/**
 * Run-time values of the SQL language and the C#-like rules Azure applies to them ("Operators follow C# implicit
 * conversion semantics").
 * - Integers are Int64 and kept as bigint; Doubles as number. A JS number read from a message is an integer when it is
 *   a safe integer: the SDKs encode whole JS numbers as AMQP int/long, which is what Azure's broker sees.
 *   (A whole-valued AMQP double therefore counts as an integer here; JS cannot tell them apart.)
 * - null stands for both NULL and "unknown" (a missing user property): the docs give them the same semantics.
 * - Strings compare ordinally and case-sensitively, as C# `==` and `string.CompareOrdinal` do.
 */

export type SqlValue = null | string | number | bigint | boolean | Date | Uint8Array | object;

/** A message value as the language sees it. */
export function fromMessageValue(v: unknown): SqlValue {
  if (v === undefined || v === null) return null;
  if (typeof v === "number") return Number.isSafeInteger(v) ? BigInt(v) : v;
  return v as SqlValue;
}

/** A language value as the message model stores it: Int64 within the safe range becomes a JS number again. */
export function toMessageValue(v: SqlValue): unknown {
  if (typeof v === "bigint" && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
  return v;
}

/** The .NET type name Azure's messages use, for error texts. */
export function typeName(v: SqlValue): string {
  if (v === null) return "null";
  switch (typeof v) {
    case "string":
      return "String";
    case "bigint":
      return "Int64";
    case "number":
      return "Double";
    case "boolean":
      return "Boolean";
    default:
      if (v instanceof Date) return "DateTime";
      if (v instanceof Uint8Array) return "Byte[]";
      return "Object";
  }
}

export function isNumeric(v: SqlValue): v is number | bigint {
  return typeof v === "number" || typeof v === "bigint";
}

/**
 * `=` between two non-null values. Int64 and Double compare as numbers (C# widens Int64 to Double); values of types
 * with no implicit conversion between them are not equal ('5' = 5 is false).
 */
export function sqlEquals(a: SqlValue, b: SqlValue): boolean {
  const ta = typeof a;
  if (ta === typeof b) {
    if (ta !== "object") return a === b;
    if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
    if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b) === 0;
    return false;
  }
  // Only bigint against number is left as a comparable pair; == compares their mathematical values.
  return isNumeric(a) && isNumeric(b) && a == b;
}

/**
 * Ordering for `<`, `<=`, `>`, `>=` between two non-null values: negative, zero or positive, or undefined when the
 * types have no ordering between them (the comparison is then false).
 */
export function sqlCompare(a: SqlValue, b: SqlValue): number | undefined {
  if (isNumeric(a) && isNumeric(b)) return a < b ? -1 : a > b ? 1 : a == b ? 0 : undefined;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  return undefined;
}

/** How C# prints a value when `+` concatenates it to a string. */
export function toConcatString(v: SqlValue): string {
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return v ? "True" : "False";
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "number") {
    if (Number.isNaN(v)) return "NaN";
    if (!Number.isFinite(v)) return v > 0 ? "∞" : "-∞";
  }
  return String(v);
}
