/**
 * Loading of the emulator's config files: JSON with `//` and block comments (as Microsoft's emulators accept),
 * validated with zod. Every error names the file, the JSON path and the rule it breaks, so a user can fix the
 * config without reading our code.
 */
import { readFileSync } from "node:fs";
import { parse, printParseErrorCode, type ParseError } from "jsonc-parser";
import type { z } from "zod";

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: { path: string; message: string }[],
  ) {
    super(`Invalid config ${file}:\n${problems.map((p) => `  - ${p.path || "(root)"}: ${p.message}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Formats a path such as ["UserConfig", "Namespaces", 0, "Name"] as `UserConfig.Namespaces[0].Name`. */
export function formatJsonPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  return `line ${line}, column ${column}`;
}

/** Parses JSONC text; syntax errors become a ConfigError with line and column. */
export function parseJsonc(text: string, file: string): unknown {
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    throw new ConfigError(
      file,
      errors.map((e) => ({ path: lineAndColumn(text, e.offset), message: `JSON syntax error: ${printParseErrorCode(e.error)}` })),
    );
  }
  return value;
}

/** Validates a parsed value against a zod schema and returns the typed result. */
export function validateConfig<S extends z.ZodType>(schema: S, value: unknown, file: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ConfigError(
    file,
    result.error.issues.map((issue) => ({ path: formatJsonPath(issue.path), message: issue.message })),
  );
}

export function loadConfigFile<S extends z.ZodType>(schema: S, file: string): z.output<S> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(file, [{ path: "", message: `cannot read the file: ${(err as Error).message}` }]);
  }
  return validateConfig(schema, parseJsonc(text, file), file);
}
