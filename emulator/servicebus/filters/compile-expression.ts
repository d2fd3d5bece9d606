/**
 * Compiles expression nodes once into closures over the message view. Sub-expressions that do not read the message
 * are evaluated at compile time (so `1/0` or `TRUE + 1` is a compile error, as it is for C# constants).
 */
import { randomUUID } from "node:crypto";
import { applyArithmetic, applyUnary } from "./arithmetic.js";
import type { CallNode, ExpressionNode, LiteralNode, PropertyNode } from "./ast.js";
import { CompileFault, EvaluationFault } from "./errors.js";
import { canonicalSystemPropertyName, SYSTEM_PROPERTY_NAMES, type SystemPropertyName } from "./system-properties.js";
import type { FilterInput } from "./types.js";
import { readUserProperty } from "./user-properties.js";
import { fromMessageValue, typeName, type SqlValue } from "./values.js";

export type Evaluator = (message: FilterInput) => SqlValue;

export interface CompiledExpression {
  evaluate: Evaluator;
  /** True when the value does not depend on the message (nor on chance, as newid() does). */
  constant: boolean;
}

export interface CompileContext {
  /** Values of `@name` parameters (SqlRuleFilter.Parameters), keyed by lower-case name with its `@`. */
  parameters?: ReadonlyMap<string, SqlValue>;
}

/** A property reference resolved at compile time. */
export type ResolvedProperty = { scope: "sys"; name: SystemPropertyName } | { scope: "user"; name: string };

const INT64_MAX = 2n ** 63n - 1n;

/** The message view used to evaluate constant sub-expressions: it has no properties. */
export const EMPTY_MESSAGE: FilterInput = { system: () => undefined, user: () => undefined };

export function compileExpression(node: ExpressionNode, ctx: CompileContext): CompiledExpression {
  switch (node.kind) {
    case "literal":
      return constant(literalValue(node, false));
    case "parameter": {
      const key = node.name.toLowerCase();
      if (!ctx.parameters?.has(key)) throw new CompileFault(node.pos, `The parameter ${node.name} has no value`);
      return constant(fromMessageValue(ctx.parameters.get(key)));
    }
    case "property":
      return { evaluate: propertyReader(resolveProperty(node)), constant: false };
    case "call":
      return compileCall(node, ctx);
    case "unary": {
      // -9223372036854775808 is a valid Int64 although its digits alone are not.
      if (node.op === "-" && node.operand.kind === "literal" && typeof node.operand.value === "bigint")
        return constant(-(literalValue(node.operand, true) as bigint));
      const operand = compileExpression(node.operand, ctx);
      const op = node.op;
      const ev = operand.evaluate;
      return fold({ evaluate: (m) => applyUnary(op, ev(m)), constant: operand.constant }, node.pos);
    }
    case "binary": {
      const left = compileExpression(node.left, ctx);
      const right = compileExpression(node.right, ctx);
      const op = node.op;
      const l = left.evaluate;
      const r = right.evaluate;
      return fold({ evaluate: (m) => applyArithmetic(op, l(m), r(m)), constant: left.constant && right.constant }, node.pos);
    }
  }
}

export function resolveProperty(node: PropertyNode): ResolvedProperty {
  const scope = node.scope?.toLowerCase() ?? "user";
  if (scope === "user") return { scope: "user", name: node.name };
  if (scope !== "sys")
    throw new CompileFault(node.pos, `Unknown scope '${node.scope}' in '${node.scope}.${node.name}'; a scope is sys or user`);
  const name = canonicalSystemPropertyName(node.name);
  if (!name)
    throw new CompileFault(
      node.pos,
      `Unknown system property 'sys.${node.name}'; system properties are ${SYSTEM_PROPERTY_NAMES.join(", ")}`,
    );
  return { scope: "sys", name };
}

export function propertyReader(p: ResolvedProperty): Evaluator {
  const name = p.name;
  return p.scope === "sys" ? (m) => fromMessageValue(m.system(name)) : (m) => fromMessageValue(readUserProperty(m, name));
}

/** The value of `property(name)` / `p(name)` for a name known only at run time: `sys.X`, `user.X` or a user name. */
function dynamicProperty(m: FilterInput, name: SqlValue): SqlValue {
  if (name === null) return null;
  if (typeof name !== "string")
    throw new EvaluationFault(`The argument of property() must be a String; got '${typeName(name)}'`);
  const dot = name.indexOf(".");
  const scope = dot > 0 ? name.slice(0, dot).toLowerCase() : "";
  if (scope === "sys") {
    const canonical = canonicalSystemPropertyName(name.slice(dot + 1));
    if (!canonical) throw new EvaluationFault(`Unknown system property '${name}'`);
    return fromMessageValue(m.system(canonical));
  }
  return fromMessageValue(readUserProperty(m, scope === "user" ? name.slice(dot + 1) : name));
}

function compileCall(node: CallNode, ctx: CompileContext): CompiledExpression {
  const fn = node.name.toLowerCase();
  if (fn === "newid") {
    if (node.args.length !== 0) throw new CompileFault(node.pos, "newid() takes no arguments");
    return { evaluate: () => randomUUID(), constant: false };
  }
  if (fn === "property" || fn === "p") {
    if (node.args.length !== 1) throw new CompileFault(node.pos, `${node.name}() takes one argument, the property name`);
    const arg = compileExpression(node.args[0]!, ctx);
    if (arg.constant) {
      const name = arg.evaluate(EMPTY_MESSAGE);
      if (typeof name !== "string")
        throw new CompileFault(node.args[0]!.pos, `The argument of ${node.name}() must be a String; got '${typeName(name)}'`);
      return { evaluate: propertyReader(resolvePropertyName(name, node.args[0]!.pos)), constant: false };
    }
    const ev = arg.evaluate;
    return { evaluate: (m) => dynamicProperty(m, ev(m)), constant: false };
  }
  throw new CompileFault(node.pos, `Unknown function '${node.name}'; the functions are newid(), property(name) and p(name)`);
}

function resolvePropertyName(name: string, pos: number): ResolvedProperty {
  const dot = name.indexOf(".");
  const scope = dot > 0 ? name.slice(0, dot) : null;
  if (scope && ["sys", "user"].includes(scope.toLowerCase()))
    return resolveProperty({ kind: "property", scope, name: name.slice(dot + 1), pos });
  return { scope: "user", name };
}

function literalValue(node: LiteralNode, negated: boolean): SqlValue {
  const v = node.value;
  if (typeof v === "bigint" && v > INT64_MAX + (negated ? 1n : 0n))
    throw new CompileFault(node.pos, `The integer constant ${node.integerText ?? v} is outside the Int64 range`);
  if (typeof v === "number" && !Number.isFinite(v))
    throw new CompileFault(node.pos, "This numeric constant is outside the Double range");
  return v;
}

function constant(value: SqlValue): CompiledExpression {
  return { evaluate: () => value, constant: true };
}

/** Evaluates a constant expression now; an evaluation error becomes a compile error at `pos`. */
function fold(compiled: CompiledExpression, pos: number): CompiledExpression {
  if (!compiled.constant) return compiled;
  try {
    return constant(compiled.evaluate(EMPTY_MESSAGE));
  } catch (err) {
    if (err instanceof EvaluationFault) throw new CompileFault(pos, err.message);
    throw err;
  }
}
