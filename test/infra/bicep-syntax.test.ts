/**
 * Every .bicep file under infra/ parses with the Bicep grammar for tree-sitter (tree-sitter-bicep's wasm on
 * web-tree-sitter): no ERROR or MISSING node. The Bicep CLI is not needed (npm run infra:build runs it where it
 * is installed); broken snippets show the check does catch syntax errors.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { bicepFiles, parseBicep, readText, syntaxProblems } from "./bicep-syntax.js";

const infraDir = fileURLToPath(new URL("../../infra/", import.meta.url));
const files = bicepFiles(infraDir);

describe("Bicep syntax (tree-sitter-bicep)", () => {
  it("uses the wasm grammar the tree-sitter-bicep package ships", () => {
    const wasm = createRequire(import.meta.url).resolve("tree-sitter-bicep/tree-sitter-bicep.wasm");
    expect(existsSync(wasm)).toBe(true);
  });

  it("finds the template and its modules", () => {
    expect(files).toContain("main.bicep");
    expect(files.length).toBeGreaterThan(1);
  });

  it.each(files)("infra/%s has no syntax error", async (file) => {
    const problems = syntaxProblems(await parseBicep(readText(`${infraDir}${file}`)));
    expect(problems.map((p) => `${file}:${p.line}:${p.column} ${p.kind} ${p.text}`)).toEqual([]);
  });

  it("accepts a well-formed snippet with loops, lambdas and safe access", async () => {
    const source = [
      "param names array",
      "var items = flatten(map(names, n => [{ name: n, size: n.?size ?? 1 }]))",
      "resource r 'Microsoft.Storage/storageAccounts@2024-01-01' = [for item in items: {",
      "  name: item.name",
      "  location: resourceGroup().location",
      "}]",
      "",
    ].join("\n");
    expect(syntaxProblems(await parseBicep(source))).toEqual([]);
  });

  it.each([
    ["an object property without a value", "var settings = {\n  name: \n}\n", "MISSING"],
    ["an unclosed object", "resource r 'Microsoft.Storage/storageAccounts@2024-01-01' = {\n  name: 'x'\n", "MISSING"],
    ["a stray token", "var x = [for item in items: ]]\n", "ERROR"],
    ["a missing '=' in a declaration", "param location string\nvar tags { a: 1 }\n", "ERROR"],
  ])("reports %s", async (_what, source, kind) => {
    const problems = syntaxProblems(await parseBicep(source));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.map((p) => p.kind)).toContain(kind);
    expect(problems[0]?.line).toBeGreaterThanOrEqual(1);
  });
});
