/**
 * The app's entry files, found as the Node.js worker finds them: package.json `main`, which may be a glob such as
 * `dist/src/functions/*.js` (the azd templates use one), else `index.js`.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { globSync } from "tinyglobby";

export function resolveEntryFiles(appDir: string): string[] {
  const pkgFile = path.join(appDir, "package.json");
  let main = "index.js";
  if (existsSync(pkgFile)) {
    const pkg = JSON.parse(readFileSync(pkgFile, "utf8")) as { main?: unknown };
    if (typeof pkg.main === "string" && pkg.main.trim() !== "") main = pkg.main.trim();
  }
  const files = globSync(main, { cwd: appDir, absolute: true, onlyFiles: true }).sort();
  if (files.length === 0) {
    throw new Error(`The app's entry point "${main}" (package.json "main" in ${appDir}) matches no file. Build the app first if it points at compiled output.`);
  }
  return files.map((f) => path.resolve(f));
}
