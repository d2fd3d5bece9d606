/**
 * The emulator as another project gets it: `npm pack` of emulator/ (its prepack compiles it), the tarball installed
 * into a fresh folder with npm (from npm's cache when it can), then its `fest-emulator` bin run on free ports and
 * used with the connection string it prints, and `startEmulator` imported from the package by its name, types
 * included. The README's examples of the emulator on its own are the code that runs here (readme-*.ts).
 * Slow (a TypeScript build and an npm install): long timeouts.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const MINUTE = 60_000;
const repoRoot = path.resolve(import.meta.dirname, "../../..");
const emulatorDir = path.join(repoRoot, "emulator");
const require = createRequire(import.meta.url);
const tsxLoader = pathToFileURL(require.resolve("tsx")).href;
const sdkVersion = (require("@azure/service-bus/package.json") as { version: string }).version;

let workDir: string;
let projectDir: string;
let packedFiles: string[];
let bin: ChildProcess | undefined;

/** A user's environment: none of the test runner's or npm's own variables (an outer `npm test` sets some). */
function userEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  const runnerVariable = /^(VITEST|NODE_OPTIONS$|npm_|TEST$|NODE_ENV$)/i;
  for (const [k, v] of Object.entries(process.env)) if (!runnerVariable.test(k)) env[k] = v;
  return { ...env, XDG_CACHE_HOME: path.join(workDir, "cache"), ...extra };
}

beforeAll(async () => {
  workDir = mkdtempSync(path.join(tmpdir(), "fest-emulator-package-"));
  const npmOptions = { env: userEnvironment(), maxBuffer: 16 * 1024 * 1024, timeout: 4 * MINUTE };
  const pack = ["pack", "--json", "--pack-destination", workDir];
  const packed = await run("npm", pack, { ...npmOptions, cwd: emulatorDir });
  // The JSON report is the last thing npm prints (the prepack build's output comes before it).
  const json = packed.stdout.slice(packed.stdout.lastIndexOf("\n[") + 1);
  const [report] = JSON.parse(json) as { filename: string; files: { path: string }[] }[];
  packedFiles = report.files.map((f) => f.path);

  projectDir = path.join(workDir, "project");
  await run("mkdir", [projectDir]);
  const manifest = { name: "consumer", private: true, type: "module" };
  writeFileSync(path.join(projectDir, "package.json"), JSON.stringify(manifest));
  const tarball = path.join(workDir, report.filename);
  const sdk = `@azure/service-bus@${sdkVersion}`;
  const install = ["install", tarball, sdk, "--prefer-offline", "--no-audit", "--no-fund"];
  await run("npm", install, { ...npmOptions, cwd: projectDir });
}, 5 * MINUTE);

afterAll(async () => {
  bin?.kill("SIGKILL");
  if (workDir) await rm(workDir, { recursive: true, force: true, maxRetries: 3 });
}, MINUTE);

/** Starts the installed bin on free ports; resolves with everything it printed once the last endpoint is out. */
function startBin(): Promise<string> {
  const ports = ["--servicebus-port", "0", "--servicebus-amqps-port", "0", "--http-port", "0", "--kafka-port", "0"];
  const args = [...ports, "--kafka-tls-port", "0", "--log-level", "warn"];
  const command = path.join(projectDir, "node_modules", ".bin", "fest-emulator");
  bin = spawn(command, args, { cwd: projectDir, env: userEnvironment() });
  return new Promise<string>((resolve, reject) => {
    let out = "";
    bin!.stderr!.on("data", (chunk: Buffer) => (out += chunk.toString()));
    bin!.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (/^Event Grid topic \S+ key: \S+$/m.test(out)) resolve(out);
    });
    bin!.once("exit", (code) => reject(new Error(`fest-emulator exited with code ${code}:\n${out}`)));
  });
}

describe("the packed emulator package", () => {
  it("holds the compiled emulator with its types and default configs, and no TypeScript sources", () => {
    expect(packedFiles).toEqual(
      expect.arrayContaining([
        "package.json",
        "dist/cli.js",
        "dist/index.js",
        "dist/index.d.ts",
        "dist/functions-host/index.js",
        "dist/servicebus/filters/sql-parser.generated.js",
        "dist/defaults/servicebus.json",
        "dist/defaults/eventhubs.json",
        "dist/defaults/eventgrid.json",
      ]),
    );
    expect(packedFiles.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([]);
    expect(packedFiles.filter((f) => !f.startsWith("dist/") && f !== "package.json")).toEqual([]);
  });

  it(
    "runs from its bin with the neutral sample topology; the README's queue example sends and receives with the " +
      "printed connection string",
    async () => {
      const out = await startBin();
      expect(out).toMatch(/^Emulator ready in \d+ ms$/m);
      const lines = out.split("\n");
      const connectionString = lines[lines.indexOf("Service Bus connection string:") + 1].trim();
      expect(connectionString).toMatch(/^Endpoint=sb:\/\/localhost:\d+;.*UseDevelopmentEmulator=true;$/);
      expect(out).toMatch(/^Event Grid topic topic-1 endpoint: /m);

      const health = /^Health: (http:\/\/\S+)\/health$/m.exec(out)![1];
      const entities = (await (await fetch(`${health}/emulator/servicebus/entities`)).json()) as unknown;
      const paths = JSON.stringify(entities);
      for (const name of ["queue.1", "topic.1", "subscription.1", "subscription.4"]) expect(paths).toContain(name);
      expect(paths).not.toContain("purchases");

      // The dashboard ships in the package: its page, its own modules and preact from the installed dependencies.
      const page = await fetch(`${health}/`);
      expect(page.headers.get("content-type")).toMatch(/^text\/html/);
      expect(await page.text()).toContain("/dashboard/page/app.js");
      for (const file of ["page/app.js", "vendor/preact.mjs"]) {
        expect((await fetch(`${health}/dashboard/${file}`)).status, file).toBe(200);
      }

      const env = userEnvironment({ SERVICEBUS_CONNECTION_STRING: connectionString });
      const script = path.join(import.meta.dirname, "readme-standalone.ts");
      const example = await run(process.execPath, ["--import", tsxLoader, script], {
        cwd: repoRoot,
        env,
        timeout: MINUTE,
      });
      expect(example.stdout.trim()).toBe("{ hello: 'world' }");
    },
    2 * MINUTE,
  );

  it(
    "starts in-process from another project through its export, and the README's example type-checks and runs",
    async () => {
      const example = path.join(projectDir, "in-process.ts");
      copyFileSync(path.join(import.meta.dirname, "readme-in-process.ts"), example);
      const compilerOptions = {
        module: "nodenext",
        target: "es2022",
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ["node"],
        typeRoots: [path.join(repoRoot, "node_modules", "@types")],
      };
      const tsconfig = { compilerOptions, files: ["in-process.ts"] };
      writeFileSync(path.join(projectDir, "tsconfig.json"), JSON.stringify(tsconfig));
      const tsc = require.resolve("typescript/bin/tsc");
      const inProject = { cwd: projectDir, env: userEnvironment(), timeout: 2 * MINUTE };
      await run(process.execPath, [tsc, "-p", projectDir], inProject).catch((err) => {
        const why = `${err.stdout}${err.stderr}`;
        throw new Error(`the README's in-process example does not type-check against the package:\n${why}`);
      });

      const ran = await run(process.execPath, ["--import", tsxLoader, example], inProject);
      expect(ran.stdout.trim()).toBe("hi");
    },
    3 * MINUTE,
  );
});
