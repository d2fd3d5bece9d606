/**
 * Compiles predicate nodes once into closures that return true, false or null (unknown), with the three-valued logic
 * of Azure's docs: an unknown operand makes a comparison, LIKE or IN unknown; NOT unknown is unknown; AND and OR
 * follow the documented truth tables. A filter matches only when its predicate is true.
 * Comparing values of types with no conversion between them ('5' = 5, 'a' < 1) is false, not an error.
 */
import type { ComparisonOperator, CompareNode, InNode, LikeNode, PredicateNode } from "./ast.js";
import { compileExpression, EMPTY_MESSAGE, propertyReader, resolveProperty, type CompileContext, type Evaluator } from "./compile-expression.js";
import { CompileFault, EvaluationFault } from "./errors.js";
import { LikePatternCache, LikePatternError, likePatternToRegExp } from "./like-pattern.js";
import type { FilterInput } from "./types.js";
import { resolveUserPropertyName } from "./user-properties.js";
import { sqlCompare, sqlEquals, typeName, type SqlValue } from "./values.js";

/** true, false, or null for unknown. */
export type Tri = boolean | null;
export type PredicateFn = (message: FilterInput) => Tri;

interface CompiledPredicate {
  test: PredicateFn;
  constant: boolean;
}

export function compilePredicate(node: PredicateNode, ctx: CompileContext): PredicateFn {
  const compiled = compile(node, ctx);
  if (!compiled.constant) return compiled.test;
  const value = compiled.test(EMPTY_MESSAGE);
  return () => value;
}

function compile(node: PredicateNode, ctx: CompileContext): CompiledPredicate {
  switch (node.kind) {
    case "and": {
      const left = compile(node.left, ctx);
      const right = compile(node.right, ctx);
      const l = left.test;
      const r = right.test;
      const test: PredicateFn = (m) => {
        const a = l(m);
        if (a === false) return false;
        const b = r(m);
        if (b === false) return false;
        return a === null || b === null ? null : true;
      };
      return { test, constant: left.constant && right.constant };
    }
    case "or": {
      const left = compile(node.left, ctx);
      const right = compile(node.right, ctx);
      const l = left.test;
      const r = right.test;
      const test: PredicateFn = (m) => {
        const a = l(m);
        if (a === true) return true;
        const b = r(m);
        if (b === true) return true;
        return a === null || b === null ? null : false;
      };
      return { test, constant: left.constant && right.constant };
    }
    case "not": {
      const operand = compile(node.operand, ctx);
      const t = operand.test;
      return { test: (m) => negate(t(m)), constant: operand.constant };
    }
    case "compare":
      return compileComparison(node, ctx);
    case "in":
      return compileIn(node, ctx);
    case "like":
      return compileLike(node, ctx);
    case "isNull": {
      const operand = compileExpression(node.operand, ctx);
      const ev = operand.evaluate;
      const test: PredicateFn = node.negated ? (m) => ev(m) !== null : (m) => ev(m) === null;
      return { test, constant: operand.constant };
    }
    case "exists": {
      const property = resolveProperty(node.property);
      const name = property.name;
      // A user property exists even when its value is null; a system property exists when the message has a value.
      const test: PredicateFn =
        property.scope === "user"
          ? (m) => resolveUserPropertyName(m, name) !== undefined
          : (() => {
              const read = propertyReader(property);
              return (m: FilterInput) => read(m) !== null;
            })();
      return { test, constant: false };
    }
  }
}

function negate(v: Tri): Tri {
  return v === null ? null : !v;
}

function comparator(op: ComparisonOperator): (a: SqlValue, b: SqlValue) => boolean {
  switch (op) {
    case "=":
      return sqlEquals;
    case "<>":
    case "!=":
      return (a, b) => !sqlEquals(a, b);
    case "<":
      return (a, b) => (sqlCompare(a, b) ?? NaN) < 0;
    case "<=":
      return (a, b) => (sqlCompare(a, b) ?? NaN) <= 0;
    case ">":
      return (a, b) => (sqlCompare(a, b) ?? NaN) > 0;
    case ">=":
      return (a, b) => (sqlCompare(a, b) ?? NaN) >= 0;
  }
}

function compileComparison(node: CompareNode, ctx: CompileContext): CompiledPredicate {
  const left = compileExpression(node.left, ctx);
  const right = compileExpression(node.right, ctx);
  const cmp = comparator(node.op);
  const l = left.evaluate;
  const constant = left.constant && right.constant;
  if (right.constant) {
    // The common shape `property op constant`: the constant is captured, not re-evaluated.
    const b = right.evaluate(EMPTY_MESSAGE);
    if (b === null) return { test: () => null, constant: true };
    return {
      test: (m) => {
        const a = l(m);
        return a === null ? null : cmp(a, b);
      },
      constant,
    };
  }
  const r = right.evaluate;
  return {
    test: (m) => {
      const a = l(m);
      if (a === null) return null;
      const b = r(m);
      return b === null ? null : cmp(a, b);
    },
    constant,
  };
}

function compileIn(node: InNode, ctx: CompileContext): CompiledPredicate {
  const left = compileExpression(node.left, ctx);
  const items = node.list.map((item) => compileExpression(item, ctx));
  const l = left.evaluate;
  const negated = node.negated;
  const constant = left.constant && items.every((i) => i.constant);
  let contains: (m: FilterInput, v: SqlValue) => boolean;
  if (items.every((i) => i.constant)) {
    const values = items.map((i) => i.evaluate(EMPTY_MESSAGE)).filter((v) => v !== null);
    const strings = new Set(values.filter((v): v is string => typeof v === "string"));
    const others = values.filter((v) => typeof v !== "string");
    contains = (_m, v) => (typeof v === "string" ? strings.has(v) : others.some((o) => sqlEquals(v, o)));
  } else {
    const evaluators = items.map((i) => i.evaluate);
    contains = (m, v) =>
      evaluators.some((ev) => {
        const item = ev(m);
        return item !== null && sqlEquals(v, item);
      });
  }
  // Per the docs only an unknown left operand makes IN unknown; unknown list items simply do not match.
  return {
    test: (m) => {
      const v = l(m);
      if (v === null) return null;
      return contains(m, v) !== negated;
    },
    constant,
  };
}

function compileLike(node: LikeNode, ctx: CompileContext): CompiledPredicate {
  const left = compileExpression(node.left, ctx);
  const pattern = compileExpression(node.pattern, ctx);
  const escape = node.escape ? compileExpression(node.escape, ctx) : undefined;
  const l = left.evaluate;
  const negated = node.negated;
  const constant = left.constant && pattern.constant && (escape?.constant ?? true);
  const matches = (v: SqlValue, re: RegExp): Tri => (typeof v === "string" ? re.test(v) !== negated : false);

  if (pattern.constant && (!escape || escape.constant)) {
    const p = pattern.evaluate(EMPTY_MESSAGE);
    const e = escape ? escape.evaluate(EMPTY_MESSAGE) : undefined;
    if (p === null || e === null) return { test: () => null, constant: true };
    if (typeof p !== "string") throw new CompileFault(node.pattern.pos, `A LIKE pattern must be a String; got '${typeName(p)}'`);
    if (e !== undefined && typeof e !== "string")
      throw new CompileFault(node.escape!.pos, `The ESCAPE argument of LIKE must be a String; got '${typeName(e)}'`);
    let re: RegExp;
    try {
      re = likePatternToRegExp(p, e);
    } catch (err) {
      if (err instanceof LikePatternError) throw new CompileFault(e !== undefined && e.length !== 1 ? node.escape!.pos : node.pattern.pos, err.message);
      throw err;
    }
    return {
      test: (m) => {
        const v = l(m);
        return v === null ? null : matches(v, re);
      },
      constant,
    };
  }

  const cache = new LikePatternCache();
  const pe = pattern.evaluate;
  const ee: Evaluator | undefined = escape?.evaluate;
  return {
    test: (m) => {
      const v = l(m);
      const p = pe(m);
      const e = ee ? ee(m) : undefined;
      if (v === null || p === null || e === null) return null;
      if (typeof p !== "string") throw new EvaluationFault(`A LIKE pattern must be a String; got '${typeName(p)}'`);
      if (e !== undefined && typeof e !== "string")
        throw new EvaluationFault(`The ESCAPE argument of LIKE must be a String; got '${typeName(e)}'`);
      try {
        return matches(v, cache.get(p, e));
      } catch (err) {
        if (err instanceof LikePatternError) throw new EvaluationFault(err.message);
        throw err;
      }
    },
    constant,
  };
}
