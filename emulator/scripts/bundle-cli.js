/**
 * Build step after tsc: dist/cli.js (the `fest-emulator` bin) becomes one file holding the emulator's own modules
 * (esbuild; the packages it depends on stay imports from node_modules). Loading some 170 separate modules was most
 * of the bin's start-up time; one file (with zod, 95 files of its own) takes about half the CPU to load.
 *
 * Each module keeps its own `import.meta.url`: it is rewritten to the URL of that module's compiled file in dist/
 * (which tsc emits beside the bundle), so files found relative to a module (default configs, static files) are found
 * exactly as in the unbundled package.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { build } from "esbuild";

const root = path.join(import.meta.dirname, "..");
const manifest = JSON.parse(await readFile(path.join(root, "package.json"), "utf8"));
// zod and jsonc-parser are bundled in too (pure ES modules; zod alone is some 95 files to load); every other package
// stays an import from node_modules (native code, CommonJS with its own requires, or loaded only when needed).
const inlined = new Set(["zod", "jsonc-parser"]);
const externals = [...Object.keys(manifest.dependencies), ...Object.keys(manifest.peerDependencies ?? {})]
  .filter((name) => !inlined.has(name))
  .flatMap((name) => [name, `${name}/*`]);

/**
 * `import.meta.url` of emulator/a/b.ts -> the URL of dist/a/b.js, computed from the bundle's own URL; and
 * `import.meta.filename` / `import.meta.dirname` -> that file's path and folder.
 */
const ownModuleUrls = {
  name: "own-module-urls",
  setup(esbuild) {
    esbuild.onLoad({ filter: /\.ts$/ }, async (args) => {
      const relative = path.relative(root, args.path).replaceAll(path.sep, "/").replace(/\.ts$/, ".js");
      const ownUrl = `new URL(${JSON.stringify(`./${relative}`)}, import.meta.url)`;
      let contents = (await readFile(args.path, "utf8")).replaceAll("import.meta.url", `${ownUrl}.href`);
      if (/import\.meta\.(filename|dirname)/.test(contents)) {
        const imports = 'import { dirname as ownDirname } from "node:path";\n' +
          'import { fileURLToPath as ownPathOf } from "node:url";\n';
        contents = imports + contents
          .replaceAll("import.meta.filename", `ownPathOf(${ownUrl})`)
          .replaceAll("import.meta.dirname", `ownDirname(ownPathOf(${ownUrl}))`);
      }
      return { contents, loader: "ts" };
    });
  },
};

await build({
  entryPoints: [path.join(root, "cli.ts")],
  outfile: path.join(root, "dist", "cli.js"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  external: externals,
  // The packages' ES module builds (jsonc-parser's "main" is a UMD file that requires its parts at run time).
  mainFields: ["module", "main"],
  plugins: [ownModuleUrls],
  logLevel: "warning",
});
