/**
 * Typed entry points to the generated parser; turns peggy's errors into FilterSyntaxError with a position and a
 * readable list of what was expected.
 */
import type { ActionStatement, PredicateNode } from "./ast.js";
import { FilterSyntaxError } from "./errors.js";
import { parse as generatedParse, SyntaxError as GeneratedSyntaxError } from "./sql-parser.generated.js";

/** Azure's quotas: a filter condition or an action is at most 1024 characters, an action at most 32 statements. */
export const MAX_EXPRESSION_LENGTH = 1024;
export const MAX_ACTION_STATEMENTS = 32;

type Expectation =
  | { type: "literal"; text: string; ignoreCase: boolean }
  | { type: "other"; description: string }
  | { type: "end" }
  | { type: "any" }
  | { type: "class"; parts: unknown[] };

interface PeggyError {
  message: string;
  expected: Expectation[] | null;
  found: string | null;
  location: { start: { offset: number } };
}

const parse = generatedParse as (input: string, options: { startRule: "Filter" | "Action" }) => unknown;

export function parseFilterExpression(expression: string): PredicateNode {
  checkLength(expression, "SQL filter");
  return run(expression, "Filter") as PredicateNode;
}

export function parseActionExpression(expression: string): ActionStatement[] {
  checkLength(expression, "SQL rule action");
  const statements = run(expression, "Action") as ActionStatement[];
  if (statements.length > MAX_ACTION_STATEMENTS) {
    const extra = statements[MAX_ACTION_STATEMENTS]!;
    throw new FilterSyntaxError(
      expression,
      extra.pos,
      `Invalid SQL rule action at position ${extra.pos}: an action has at most ${MAX_ACTION_STATEMENTS} statements; this one has ${statements.length}`,
    );
  }
  return statements;
}

function checkLength(expression: string, what: string): void {
  if (expression.length > MAX_EXPRESSION_LENGTH)
    throw new FilterSyntaxError(
      expression,
      MAX_EXPRESSION_LENGTH,
      `Invalid ${what} at position ${MAX_EXPRESSION_LENGTH}: an expression is at most ${MAX_EXPRESSION_LENGTH} characters; this one has ${expression.length}`,
    );
}

function run(expression: string, startRule: "Filter" | "Action"): unknown {
  try {
    return parse(expression, { startRule });
  } catch (err) {
    if (!(err instanceof GeneratedSyntaxError)) throw err;
    const e = err as unknown as PeggyError;
    const position = e.location.start.offset;
    const what = startRule === "Filter" ? "SQL filter" : "SQL rule action";
    // error() calls in the grammar carry their own message and no expectations.
    const detail = e.expected ? `expected ${describeExpected(e.expected)} but found ${describeFound(expression, position)}` : e.message;
    throw new FilterSyntaxError(expression, position, `Invalid ${what} at position ${position}: ${detail}`);
  }
}

function describeExpected(expected: Expectation[]): string {
  const names = new Set<string>();
  for (const x of expected) {
    if (x.type === "literal") names.add(x.ignoreCase ? x.text.toUpperCase() : `"${x.text}"`);
    else if (x.type === "other" && x.description !== "whitespace") names.add(x.description);
    else if (x.type === "end") names.add("end of expression");
    // peggy merges one-character alternatives (the comparison operators) into a class.
    else if (x.type === "class") for (const part of x.parts) for (const c of expandClassPart(part)) names.add(`"${c}"`);
  }
  // Where a value may start, a sign or a parenthesis may too; say "an expression" instead of listing them.
  if (names.has("number")) {
    const valueStarts = ['"("', '"+"', '"-"', "number", "string", "parameter", "identifier", "property name", "TRUE", "FALSE", "NULL"];
    for (const n of valueStarts) names.delete(n);
    names.add("an expression");
  }
  const list = [...names];
  if (list.length === 0) return "something else";
  return list.length === 1 ? list[0]! : `${list.slice(0, -1).join(", ")} or ${list.at(-1)}`;
}

function expandClassPart(part: unknown): string[] {
  if (typeof part === "string") return [part];
  const [from, to] = part as [string, string];
  const chars: string[] = [];
  for (let c = from.charCodeAt(0); c <= to.charCodeAt(0) && chars.length < 10; c++) chars.push(String.fromCharCode(c));
  return chars;
}

function describeFound(expression: string, position: number): string {
  if (position >= expression.length) return "the end of the expression";
  const token = /^(?:[\p{L}\p{Nd}_]+|\S)/u.exec(expression.slice(position))?.[0] ?? expression[position]!;
  return `"${token}"`;
}
