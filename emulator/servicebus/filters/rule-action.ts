/**
 * SQL rule actions: `SET property = expression` and `REMOVE property`, applied in order to the copy of a message a
 * subscription keeps (each statement sees the changes of the ones before). A missing user property reads as unknown,
 * which SET stores as null; a missing or unknown system property, or a value of the wrong type for one, is an error.
 */
import type { ActionStatement, SetStatement } from "./ast.js";
import { compileExpression, resolveProperty, type CompileContext } from "./compile-expression.js";
import { CompileFault, EvaluationFault, FilterEvaluationError } from "./errors.js";
import { parseActionExpression } from "./parse.js";
import { compileOrThrow } from "./sql-filter.js";
import { SETTABLE_SYSTEM_PROPERTIES } from "./system-properties.js";
import type { ActionTarget, CompiledAction } from "./types.js";
import { resolveUserPropertyName } from "./user-properties.js";
import { toMessageValue, typeName, type SqlValue } from "./values.js";

type Step = (message: ActionTarget) => void;

export function compileSqlAction(expression: string): CompiledAction {
  const statements = parseActionExpression(expression);
  const steps = compileOrThrow(expression, "SQL rule action", (ctx) => statements.map((s) => compileStatement(s, ctx)));
  return {
    apply(message) {
      try {
        for (const step of steps) step(message);
      } catch (err) {
        if (err instanceof EvaluationFault) throw new FilterEvaluationError(expression, err.message);
        throw err;
      }
    },
  };
}

function compileStatement(statement: ActionStatement, ctx: CompileContext): Step {
  const target = resolveProperty(statement.target);
  if (statement.kind === "remove") {
    if (target.scope === "sys")
      throw new CompileFault(statement.target.pos, `The system property sys.${target.name} cannot be removed`);
    const name = target.name;
    return (m) => {
      const actual = resolveUserPropertyName(m, name);
      if (actual !== undefined) m.removeUser(actual);
    };
  }
  const value = compileExpression(statement.value, ctx).evaluate;
  if (target.scope === "user") {
    const name = target.name;
    // An existing property whose name differs only in case is updated rather than doubled.
    return (m) => m.setUser(resolveUserPropertyName(m, name) ?? name, toMessageValue(value(m)));
  }
  const kind = SETTABLE_SYSTEM_PROPERTIES.get(target.name);
  if (!kind) throw new CompileFault(statement.target.pos, `The system property sys.${target.name} is set by the broker and cannot be changed`);
  const name = target.name;
  return (m) => m.setSystem(name, systemValue(statement, name, kind, value(m)));
}

function systemValue(statement: SetStatement, name: string, kind: "string" | "number" | "date", v: SqlValue): unknown {
  if (v === null) return undefined;
  if (kind === "string" && typeof v === "string") return v;
  if (kind === "number" && (typeof v === "number" || typeof v === "bigint")) return Number(v);
  if (kind === "date" && v instanceof Date) return v;
  const expected = kind === "string" ? "String" : kind === "number" ? "a number" : "DateTime";
  throw new EvaluationFault(
    `Cannot assign a value of type '${typeName(v)}' to sys.${name} (position ${statement.pos}), which takes ${expected}`,
  );
}
