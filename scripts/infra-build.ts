/**
 * `npm run infra:build`: `bicep build` (to a temporary folder: the compiled ARM JSON is not kept) and `bicep lint`
 * over every .bicep file in infra/, when the Bicep CLI is on PATH. Without it the script says it skipped and exits
 * 0: the syntax and wiring tests (test/infra/) run everywhere, with the tree-sitter grammar for Bicep.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { scriptArgs } from "./script-args.js";

scriptArgs({
  usage: `Usage: npm run infra:build
Runs \`bicep build\` (to a temporary folder) and \`bicep lint\` over infra/ when the Bicep CLI is on PATH; says it
skipped and exits 0 without it.
  --help   this text`,
  options: {},
});

const root = fileURLToPath(new URL("..", import.meta.url));
const infra = join(root, "infra");

function bicepFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return bicepFiles(path);
    return entry.name.endsWith(".bicep") ? [path] : [];
  });
}

function run(args: string[]): boolean {
  console.log(`$ bicep ${args.map((a) => (a.startsWith(root) ? relative(root, a) : a)).join(" ")}`);
  const result = spawnSync("bicep", args, { stdio: "inherit" });
  return result.status === 0;
}

const version = spawnSync("bicep", ["--version"], { encoding: "utf8" });
if (version.error || version.status !== 0) {
  console.log("infra:build skipped: the Bicep CLI (`bicep`) is not on PATH. Install it (https://aka.ms/bicep-install) to compile and lint infra/; test/infra/ checks the syntax and wiring without it.");
  process.exit(0);
}
console.log(version.stdout.trim());

const outDir = mkdtempSync(join(tmpdir(), "infra-build-"));
let ok = true;
try {
  // main.bicep compiles every module it references (restoring the br/public AVM modules from the registry).
  ok = run(["build", join(infra, "main.bicep"), "--outdir", outDir]) && ok;
  for (const file of bicepFiles(infra).sort()) ok = run(["lint", file]) && ok;
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
if (!ok) {
  console.error("infra:build failed");
  process.exit(1);
}
console.log("infra:build: bicep build and bicep lint passed");
