/**
 * `npm run infra:build`: the real Bicep CLI (pinned, restored from NuGet into .cache/bicep by scripts/bicep-cli.ts)
 * runs `bicep build` on infra/main.bicep (every module it references compiles with it; the ARM JSON goes to
 * .cache/bicep/main.json, not into the repo) and `bicep lint` on every .bicep file under infra/ (or the folder given
 * as the first argument). A linter warning fails the build like an error: a rule that does not fit is turned off in
 * infra/bicepconfig.json with its reason. Without `dotnet` it says how to get it and exits 0, except in CI (env CI
 * set), where a skipped compile would hide a broken template.
 */
import { mkdirSync, readdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { BICEP_VERSION, ensureBicep, lintFolder, repoRoot, runBicep } from "./bicep-cli.js";
import { scriptArgs } from "./script-args.js";

const { positionals } = scriptArgs({
  usage: `Usage: npm run infra:build [-- FOLDER]
Installs the pinned Bicep CLI from NuGet into .cache/bicep (with dotnet), runs \`bicep build\` on FOLDER/main.bicep
and \`bicep lint\` on every .bicep file under FOLDER (default infra/); a lint warning fails like an error. Without
dotnet it says how to get the CLI and exits 0, except in CI (env CI set).
  --help   this text`,
  options: {},
  allowPositionals: true,
});

const infra = resolve(positionals[0] ?? join(repoRoot, "infra"));

function bicepFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return bicepFiles(path);
    return entry.name.endsWith(".bicep") ? [path] : [];
  });
}

const cli = ensureBicep();
if (!cli.ok) {
  const inCi = Boolean(process.env.CI);
  console[inCi ? "error" : "log"](`infra:build ${inCi ? "failed" : "skipped"}: ${cli.reason}`);
  process.exit(inCi ? 1 : 0);
}
console.log(`Bicep CLI ${BICEP_VERSION} (${relative(repoRoot, cli.path)})`);

let failures = 0;
const main = join(infra, "main.bicep");
const outDir = join(repoRoot, ".cache", "bicep");
mkdirSync(outDir, { recursive: true });
console.log(`$ bicep build ${relative(repoRoot, main)}`);
const build = runBicep(cli.path, ["build", main, "--outfile", join(outDir, "main.json")]);
process.stdout.write(build.stdout);
process.stderr.write(build.stderr);
if (build.status !== 0) failures++;

const files = bicepFiles(infra).sort();
console.log(`$ bicep lint --pattern ${relative(repoRoot, join(infra, "**", "*.bicep"))}`);
const lint = lintFolder(cli.path, infra);
for (const file of files) {
  const own = lint.findings.filter((f) => f.file === file);
  console.log(`${own.length === 0 ? "lint ok  " : "lint FAIL"} ${relative(repoRoot, file)}`);
  for (const f of own) console.error(`  line ${f.line}: ${f.level} ${f.rule}: ${f.message}`);
}
if (lint.failed) {
  failures++;
  // Findings outside the listed files, or a CLI failure with no diagnostics: show the CLI's own words.
  const unexplained = lint.findings.length === 0 || lint.findings.some((f) => !files.includes(f.file));
  if (unexplained) console.error(lint.output.trim());
}

if (failures > 0) {
  console.error(`infra:build failed: ${failures} of the build and lint steps reported errors or warnings`);
  process.exit(1);
}
console.log("infra:build: bicep build and bicep lint passed with no warnings");
