/**
 * What makes emulator/ a package of its own, checked on every import of its sources (read with TypeScript's own
 * `preProcessFile`): it never imports the ticketing system (src/, functions/) or anything else outside emulator/,
 * every package it imports is one of its own dependencies in emulator/package.json (so an install of the package
 * alone runs), and Event Grid reaches Service Bus only through the ServiceBusEnqueuer interface, never its model.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { globSync } from "tinyglobby";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const emulatorDir = path.resolve(import.meta.dirname, "../../../emulator");
const manifest = JSON.parse(readFileSync(path.join(emulatorDir, "package.json"), "utf8")) as {
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
};
// generate-parser.ts is the developer's grammar tool (`npm run gen:grammar`), left out of the package's build.
const devOnly = new Set(["servicebus/filters/generate-parser.ts"]);
const sources = globSync("**/*.ts", { cwd: emulatorDir, ignore: ["dist/**", "node_modules/**", "**/*.d.ts"] }).filter(
  (f) => !devOnly.has(f),
);

interface ImportSite {
  file: string;
  specifier: string;
}
const imports: ImportSite[] = sources.flatMap((file) => {
  const info = ts.preProcessFile(readFileSync(path.join(emulatorDir, file), "utf8"), true, true);
  return info.importedFiles.map((i) => ({ file, specifier: i.fileName }));
});

/** "@scope/name/sub" -> "@scope/name", "name/sub" -> "name". */
const packageOf = (specifier: string) => specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/");

describe("the emulator package's boundaries", () => {
  it("reads some imports (the check is not vacuous)", () => {
    expect(imports.length).toBeGreaterThan(100);
  });

  it("imports nothing outside emulator/ by path", () => {
    const outside = imports.filter(({ file, specifier }) => {
      if (!specifier.startsWith(".")) return false;
      const target = path.resolve(emulatorDir, path.dirname(file), specifier);
      return !target.startsWith(emulatorDir + path.sep);
    });
    expect(outside).toEqual([]);
  });

  it("declares every package it imports as a dependency of its own (or an optional peer)", () => {
    const { dependencies = {}, peerDependencies = {} } = manifest;
    const declared = new Set([...Object.keys(dependencies), ...Object.keys(peerDependencies)]);
    const undeclared = imports.filter(({ specifier }) => {
      if (specifier.startsWith(".") || specifier.startsWith("node:")) return false;
      return !declared.has(packageOf(specifier));
    });
    expect(undeclared).toEqual([]);
  });

  it("lets Event Grid reach Service Bus only through the ServiceBusEnqueuer interface", () => {
    const intoServiceBus = imports.filter(({ file, specifier }) => {
      if (!file.startsWith("eventgrid/") || !specifier.startsWith(".")) return false;
      const target = path.relative(emulatorDir, path.resolve(emulatorDir, path.dirname(file), specifier));
      return target.startsWith(`servicebus${path.sep}`);
    });
    expect(intoServiceBus).toEqual([]);
  });
});
