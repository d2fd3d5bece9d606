/**
 * Subscription rules: SQL filters, correlation filters, TrueFilter / FalseFilter and SQL rule actions, each compiled
 * once when the rule is created (config load, ATOM or `$management` add-rule) and then run per message.
 * The SQL language is a peggy grammar (sql.peggy) generated ahead of time into sql-parser.generated.ts.
 */
import type { ActionDescription, FilterDescription } from "../model/entity-options.js";
import { compileCorrelationFilter } from "./correlation-filter.js";
import { compileSqlAction } from "./rule-action.js";
import { compileSqlFilter } from "./sql-filter.js";
import type { CompiledAction, CompiledFilter } from "./types.js";

export type { ActionTarget, CompiledAction, CompiledFilter, FilterInput } from "./types.js";
export { FilterEvaluationError, FilterSyntaxError } from "./errors.js";
export { compileSqlAction } from "./rule-action.js";
export { compileSqlFilter } from "./sql-filter.js";
export { SYSTEM_PROPERTY_NAMES } from "./system-properties.js";

const alwaysTrue: CompiledFilter = { matches: () => true };
const alwaysFalse: CompiledFilter = { matches: () => false };

/** Throws FilterSyntaxError (with the expression and the 0-based position) when a SQL filter is invalid. */
export function compileFilter(desc: FilterDescription): CompiledFilter {
  switch (desc.type) {
    case "true":
      return alwaysTrue;
    case "false":
      return alwaysFalse;
    case "sql":
      return compileSqlFilter(desc.expression, (desc as { parameters?: Record<string, unknown> }).parameters);
    case "correlation":
      return compileCorrelationFilter(desc);
  }
}

/** Undefined for no action (also for an empty expression, Azure's EmptyRuleAction). Throws FilterSyntaxError. */
export function compileAction(desc: ActionDescription | undefined): CompiledAction | undefined {
  if (!desc || desc.expression.trim() === "") return undefined;
  return compileSqlAction(desc.expression);
}
