// PLACEHOLDER until the SQL filter language lands: the sql-filters helper replaces this file.
import type { ActionDescription, FilterDescription } from "../model/entity-options.js";
import type { CompiledAction, CompiledFilter } from "./types.js";

export type { ActionTarget, CompiledAction, CompiledFilter, FilterInput } from "./types.js";

export class FilterSyntaxError extends Error {
  constructor(
    readonly expression: string,
    readonly position: number,
    message: string,
  ) {
    super(message);
    this.name = "FilterSyntaxError";
  }
}

export function compileFilter(desc: FilterDescription): CompiledFilter {
  switch (desc.type) {
    case "true":
      return { matches: () => true };
    case "false":
      return { matches: () => false };
    case "sql":
      if (/^\s*1\s*=\s*1\s*$/.test(desc.expression)) return { matches: () => true };
      if (/^\s*1\s*=\s*0\s*$/.test(desc.expression)) return { matches: () => false };
      throw new FilterSyntaxError(desc.expression, 0, "SQL filters are not implemented yet");
    case "correlation":
      return {
        matches: (m) =>
          (desc.correlationId === undefined || m.system("CorrelationId") === desc.correlationId) &&
          (desc.messageId === undefined || m.system("MessageId") === desc.messageId) &&
          (desc.to === undefined || m.system("To") === desc.to) &&
          (desc.replyTo === undefined || m.system("ReplyTo") === desc.replyTo) &&
          (desc.label === undefined || m.system("Label") === desc.label) &&
          (desc.sessionId === undefined || m.system("SessionId") === desc.sessionId) &&
          (desc.replyToSessionId === undefined || m.system("ReplyToSessionId") === desc.replyToSessionId) &&
          (desc.contentType === undefined || m.system("ContentType") === desc.contentType) &&
          Object.entries(desc.properties ?? {}).every(([k, v]) => m.user(k) === v),
      };
  }
}

export function compileAction(desc: ActionDescription | undefined): CompiledAction | undefined {
  if (!desc) return undefined;
  throw new FilterSyntaxError(desc.expression, 0, "SQL rule actions are not implemented yet");
}
