import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { resolveEntryFiles } from "../../../emulator/functions-host/app-entry.js";
import { loadHostSettings, resolveSettingReferences } from "../../../emulator/functions-host/host-settings.js";
import { startFunctionsHost } from "../../../emulator/functions-host/index.js";

const dirs: string[] = [];
function app(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "functions-app-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const hostJson = JSON.stringify({ version: "2.0", extensions: { http: { routePrefix: "/v1/" } } });

describe("host.json and local.settings.json", () => {
  it("puts Values into the environment; the process environment and explicit overrides win", () => {
    const dir = app({
      "host.json": hostJson,
      "local.settings.json": JSON.stringify({ IsEncrypted: false, Values: { A: "from-file", PATH: "from-file", N: 5 }, Host: { LocalHttpPort: 7123 } }),
    });
    const s = loadHostSettings(dir, { env: { A: "override" } });
    expect(s.env.A).toBe("override");
    expect(s.env.PATH).toBe(process.env.PATH);
    expect(s.env.N).toBe("5");
    expect(s.env.FUNCTIONS_WORKER_RUNTIME).toBe("node");
    expect(s.localHttpPort).toBe(7123);
    expect(s.routePrefix).toBe("v1");
  });

  it("creates local.settings.json from the example on first start when asked", () => {
    const example = JSON.stringify({ IsEncrypted: false, Values: { GREETING: "hi" } });
    const dir = app({ "host.json": hostJson, "local.settings.example.json": example });
    expect(loadHostSettings(dir).values).toEqual({});
    expect(loadHostSettings(dir, { createLocalSettings: true }).values).toEqual({ GREETING: "hi" });
    expect(readFileSync(path.join(dir, "local.settings.json"), "utf8")).toBe(example);
  });

  it("names the file and the JSON path of a bad setting", () => {
    const noVersion = app({ "host.json": "{}" });
    expect(() => loadHostSettings(noVersion)).toThrow(/host\.json[\s\S]*version[\s\S]*2\.0/);
    const encrypted = app({ "host.json": hostJson, "local.settings.json": JSON.stringify({ IsEncrypted: true, Values: {} }) });
    expect(() => loadHostSettings(encrypted)).toThrow(/local\.settings\.json[\s\S]*IsEncrypted/);
    const nested = app({ "host.json": hostJson, "local.settings.json": JSON.stringify({ Values: { X: { y: 1 } } }) });
    expect(() => loadHostSettings(nested)).toThrow(/Values\.X/);
    expect(() => loadHostSettings(app({}))).toThrow(/no host\.json/);
  });

  it("resolves %Setting% references and names a missing one", () => {
    expect(resolveSettingReferences("%Q%-x", { Q: "orders" }, "queueName")).toBe("orders-x");
    expect(() => resolveSettingReferences("%Missing%", {}, 'Function "f" schedule')).toThrow(/Function "f" schedule: the app setting "Missing" is not set/);
  });
});

describe("app entry files and loading", () => {
  it("expands a package.json main glob, and says when it matches nothing", () => {
    const dir = app({ "package.json": JSON.stringify({ main: "*.mjs" }), "a.mjs": "", "b.mjs": "", "c.txt": "" });
    expect(resolveEntryFiles(dir).map((f) => path.basename(f))).toEqual(["a.mjs", "b.mjs"]);
    const empty = app({ "package.json": JSON.stringify({ main: "dist/src/functions/*.js" }) });
    expect(() => resolveEntryFiles(empty)).toThrow(/"dist\/src\/functions\/\*\.js".*matches no file.*Build the app first/);
  });

  it("fails to start with the app's own error when its code throws at load, leaving no worker behind", async () => {
    const dir = app({ "host.json": hostJson, "package.json": JSON.stringify({ main: "index.cjs" }), "index.cjs": 'throw new Error("bad app code at load");' });
    await expect(startFunctionsHost({ appDir: dir, port: 0 })).rejects.toThrow(/failed to load[\s\S]*bad app code at load/);
    expect(existsSync(path.join(dir, "local.settings.json"))).toBe(false);
  });
});
