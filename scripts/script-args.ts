/**
 * The command line of the npm scripts, with node:util parseArgs: every script answers `--help` (or `-h`) with its
 * usage and exit code 0 before it does anything (no build, no connection, no file written), and a wrong option or
 * argument with what is wrong, the usage and exit code 1, instead of a stack trace or a run with the option ignored.
 */
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";

export interface ScriptArgsConfig<O extends ParseArgsOptionsConfig> {
  /** The whole usage text, printed for --help and after an argument error. */
  usage: string;
  options: O;
  allowPositionals?: boolean;
  /** The arguments (default: the process's, after the script path). */
  args?: string[];
}

const HELP = { help: { type: "boolean", short: "h" } } as const;

/** The parsed options: booleans and strings by their declared type (absent unless given or defaulted). */
export type ScriptValues<O extends ParseArgsOptionsConfig> = {
  [K in keyof O]?: O[K] extends { type: "boolean" } ? boolean : string;
};

export interface ScriptArgs<O extends ParseArgsOptionsConfig> {
  values: ScriptValues<O>;
  positionals: string[];
}

export function scriptArgs<O extends ParseArgsOptionsConfig>(config: ScriptArgsConfig<O>): ScriptArgs<O> {
  const { usage, options, allowPositionals = false, args = process.argv.slice(2) } = config;
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args, options: { ...options, ...HELP }, allowPositionals, strict: true });
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${usage}`);
    process.exit(1);
  }
  if (parsed.values.help) {
    console.log(usage);
    process.exit(0);
  }
  return parsed as ScriptArgs<O>;
}
