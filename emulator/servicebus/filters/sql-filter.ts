/** A SQL filter, parsed and compiled once per rule. */
import type { CompileContext } from "./compile-expression.js";
import { compilePredicate, type PredicateFn } from "./compile-predicate.js";
import { CompileFault, EvaluationFault, FilterEvaluationError, FilterSyntaxError } from "./errors.js";
import { parseFilterExpression } from "./parse.js";
import type { CompiledFilter } from "./types.js";
import type { SqlValue } from "./values.js";

/**
 * Compiles `expression`; `parameters` are the values of `@name` placeholders (SqlRuleFilter.Parameters), by name with
 * or without the `@`. Throws FilterSyntaxError with the position of the problem.
 */
export function compileSqlFilter(expression: string, parameters?: Record<string, unknown>): CompiledFilter {
  const ast = parseFilterExpression(expression);
  const test = compileOrThrow(expression, "SQL filter", (ctx) => compilePredicate(ast, ctx), parameters);
  return {
    matches(message) {
      try {
        return test(message) === true;
      } catch (err) {
        if (err instanceof EvaluationFault) throw new FilterEvaluationError(expression, err.message);
        throw err;
      }
    },
  };
}

/** Runs a compile step and turns a CompileFault into a FilterSyntaxError for `expression`. */
export function compileOrThrow<T>(
  expression: string,
  what: string,
  step: (ctx: CompileContext) => T,
  parameters?: Record<string, unknown>,
): T {
  try {
    return step({ parameters: parameterMap(parameters) });
  } catch (err) {
    if (err instanceof CompileFault)
      throw new FilterSyntaxError(expression, err.position, `Invalid ${what} at position ${err.position}: ${err.message}`);
    throw err;
  }
}

function parameterMap(parameters: Record<string, unknown> | undefined): Map<string, SqlValue> | undefined {
  if (!parameters) return undefined;
  return new Map(
    Object.entries(parameters).map(([name, value]) => [(name.startsWith("@") ? name : `@${name}`).toLowerCase(), value as SqlValue]),
  );
}

export type { PredicateFn };
