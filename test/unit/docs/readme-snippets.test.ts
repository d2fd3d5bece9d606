/**
 * The README's examples for other languages are the conformance clients' own code: each block after a
 * `<!-- snippet: path#name -->` marker must equal the lines between `readme:start name` and `readme:end name` in
 * that file (dedented). So an example a reader copies is code `npm run conformance` really ran.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const root = new URL("../../../", import.meta.url);
const readme = readFileSync(new URL("README.md", root), "utf8");
const snippets = [...readme.matchAll(/<!-- snippet: ([^#\s]+)#(\S+) -->\n```\w*\n([\s\S]*?)\n```/g)].map((m) => ({
  path: m[1],
  name: m[2],
  block: m[3],
}));

function dedent(lines: string[]): string {
  const indents = lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(cut)).join("\n");
}

function region(path: string, name: string): string | undefined {
  const lines = readFileSync(new URL(path, root), "utf8").split("\n");
  const start = lines.findIndex((l) => l.trimEnd().endsWith(`readme:start ${name}`));
  const end = lines.findIndex((l, i) => i > start && l.trimEnd().endsWith(`readme:end ${name}`));
  return start < 0 || end < 0 ? undefined : dedent(lines.slice(start + 1, end));
}

describe("README examples for other languages", () => {
  it("has the examples the conformance suite runs", () => {
    const names = snippets.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(["dotnet-servicebus", "python-servicebus", "kcat"]));
  });

  it.each(snippets)("shows $path#$name exactly as the suite runs it", ({ path, name, block }) => {
    expect(block).toBe(region(path, name));
  });
});
