/**
 * Build step after tsc: copies every file the emulator reads at run time that tsc does not emit (the default
 * configs under defaults/, static files such as the dashboard's) from the sources into dist/, at the same relative
 * path, so code that finds them with `new URL("./x", import.meta.url)` finds them in the compiled package too.
 */
import { cpSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

const root = path.join(import.meta.dirname, "..");
const out = path.join(root, "dist");
// Not run-time files: sources, build and package files, and the grammar the generated parser is made from.
const skippedTop = new Set(["dist", "node_modules", "scripts", "package.json", "tsconfig.json"]);
const isSource = (name) => /\.(ts|peggy|md)$/.test(name) && !name.endsWith(".d.ts");

for (const entry of readdirSync(root)) {
  if (skippedTop.has(entry)) continue;
  const filter = (source) => statSync(source).isDirectory() || !isSource(path.basename(source));
  cpSync(path.join(root, entry), path.join(out, entry), { recursive: true, filter });
}
