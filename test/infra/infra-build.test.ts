/**
 * `npm run infra:build` (scripts/infra-build.ts) as CI runs it: the real Bicep CLI compiles and lints, an error or a
 * linter warning in any .bicep file fails the build and names the file, and a machine without `dotnet` is told how
 * to get the CLI, failing only in CI.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "./code-settings.js";
import { skipReason } from "./compiled-template.js";

const folders: string[] = [];
afterAll(() => folders.forEach((f) => rmSync(f, { recursive: true, force: true })));

function infraFolder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "infra-build-test-"));
  folders.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function infraBuild(args: string[], env: Record<string, string | undefined> = {}) {
  // This node with tsx's loader, not a PATH lookup: one test takes PATH away.
  const script = join(repoRoot, "scripts", "infra-build.ts");
  const result = spawnSync(process.execPath, ["--import", "tsx", script, ...args], {
    cwd: repoRoot,
    encoding: "utf8",
    env: { ...process.env, CI: undefined, ...env },
    timeout: 120_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const validMain = "param location string = resourceGroup().location\n\noutput where string = location\n";

describe.skipIf(Boolean(skipReason))("infra:build with the real Bicep CLI", () => {
  it("passes on infra/ with no warnings", () => {
    const run = infraBuild([]);
    expect(run.output).toContain("bicep build and bicep lint passed with no warnings");
    expect(run.status).toBe(0);
  }, 120_000);

  it("fails on a compile error and names the file and the error", () => {
    const dir = infraFolder({ "main.bicep": "param count int = 'three'\n\noutput n int = count\n" });
    const run = infraBuild([dir]);
    expect(run.status).toBe(1);
    expect(run.output).toContain("lint FAIL");
    expect(run.output).toMatch(/main\.bicep[\s\S]*Error BCP033/);
  }, 120_000);

  it("fails on a linter warning in a file main.bicep does not even use (warnings are errors)", () => {
    const dir = infraFolder({ "main.bicep": validMain, "unused.bicep": "param notUsed string\n" });
    const run = infraBuild([dir]);
    expect(run.status).toBe(1);
    expect(run.output).toMatch(/lint FAIL\s+\S*unused\.bicep/);
    expect(run.output).toContain("Warning no-unused-params");
    expect(run.output).toMatch(/lint ok\s+\S*main\.bicep/);
  }, 120_000);
});

describe("infra:build without dotnet", () => {
  // No CLI in this cache folder, and no dotnet on PATH: the machine has never restored the CLI and cannot.
  const noDotnet = () => ({ BICEP_CACHE_DIR: infraFolder({}), PATH: "/nonexistent" });

  it("says so and how to install it, and exits 0 on a developer's machine", () => {
    const run = infraBuild([], noDotnet());
    expect(run.output).toContain("infra:build skipped: `dotnet` is not on PATH");
    expect(run.output).toContain("https://dot.net/download");
    expect(run.status).toBe(0);
  });

  it("fails in CI, where a skipped compile would hide a broken template", () => {
    const run = infraBuild([], { ...noDotnet(), CI: "true" });
    expect(run.output).toContain("infra:build failed: `dotnet` is not on PATH");
    expect(run.status).toBe(1);
  });
});
