/**
 * Arithmetic with C# semantics, as Azure documents ("Arithmetic operators ... follow the same semantics as the C#
 * operator binding in data type promotions and implicit conversions"):
 * Int64 op Int64 stays Int64 (division truncates, overflow wraps, division by zero is an error); with a Double on
 * either side it is Double arithmetic (x / 0 is Infinity or NaN); `+` with a String on either side concatenates.
 * Unknown (null) on either side gives unknown. Any other pairing is an evaluation error, as C# has no such operator.
 */
import type { ArithmeticOperator } from "./ast.js";
import { EvaluationFault } from "./errors.js";
import { isNumeric, toConcatString, typeName, type SqlValue } from "./values.js";

export function applyArithmetic(op: ArithmeticOperator, a: SqlValue, b: SqlValue): SqlValue {
  if (a === null || b === null) return null;
  if (typeof a === "bigint" && typeof b === "bigint") return integerArithmetic(op, a, b);
  if (isNumeric(a) && isNumeric(b)) return doubleArithmetic(op, Number(a), Number(b));
  if (op === "+" && (typeof a === "string" || typeof b === "string")) return toConcatString(a) + toConcatString(b);
  throw new EvaluationFault(`Operator '${op}' cannot be applied to operands of type '${typeName(a)}' and '${typeName(b)}'`);
}

export function applyUnary(op: "+" | "-", v: SqlValue): SqlValue {
  if (v === null) return null;
  if (typeof v === "bigint") return op === "-" ? BigInt.asIntN(64, -v) : v;
  if (typeof v === "number") return op === "-" ? -v : v;
  throw new EvaluationFault(`Operator '${op}' cannot be applied to operand of type '${typeName(v)}'`);
}

function integerArithmetic(op: ArithmeticOperator, a: bigint, b: bigint): bigint {
  switch (op) {
    case "+":
      return BigInt.asIntN(64, a + b);
    case "-":
      return BigInt.asIntN(64, a - b);
    case "*":
      return BigInt.asIntN(64, a * b);
    case "/":
      if (b === 0n) throw new EvaluationFault("Attempted to divide by zero");
      return BigInt.asIntN(64, a / b);
    case "%":
      if (b === 0n) throw new EvaluationFault("Attempted to divide by zero");
      return a % b;
  }
}

function doubleArithmetic(op: ArithmeticOperator, a: number, b: number): number {
  switch (op) {
    case "+":
      return a + b;
    case "-":
      return a - b;
    case "*":
      return a * b;
    case "/":
      return a / b;
    case "%":
      return a % b;
  }
}
