/**
 * Every npm script answers `--help` as a new user expects: its usage on stdout, exit code 0, and nothing done (no
 * build, no connection, no file rewritten); a wrong option is exit code 1 with what is wrong and the usage.
 * Each script runs as `npm run` runs it (tsx), in a child process.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const tsx = `${root}node_modules/.bin/tsx`;
const scripts = JSON.parse(readFileSync(`${root}package.json`, "utf8")).scripts as Record<string, string>;

/** The npm scripts run with tsx: name -> script file. */
const tsxScripts = Object.entries(scripts)
  .filter(([, command]) => command.startsWith("tsx "))
  .map(([name, command]) => [name, command.split(" ")[1]] as const);

function run(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // No ports or storage of a running system: a script that ignored --help would fail or hang, not pass.
    const env = { ...process.env, FUNCTIONS_PORT: "1", KAFKA_PORT: "1", TicketingStorage: "UseDevelopmentStorage=true" };
    execFile(tsx, [file, ...args], { cwd: root, env, timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr });
    });
  });
}

const fingerprint = (path: string) => `${statSync(path).mtimeMs}:${createHash("sha256").update(readFileSync(path)).digest("hex")}`;
const writtenFiles = [`${root}docs/asyncapi.json`, `${root}emulator/servicebus/filters/sql-parser.generated.ts`];

describe("npm scripts", () => {
  it("cover every tsx script of package.json", () => {
    expect(tsxScripts.map(([name]) => name)).toEqual(
      expect.arrayContaining(["projections:rebuild", "analytics:replay", "asyncapi", "start", "sb", "emulator", "gen:grammar", "bench", "infra:build"]),
    );
  });

  it("answer --help with their usage and exit 0, writing nothing", async () => {
    const before = writtenFiles.map(fingerprint);
    // Three at a time: each is a tsx start-up, most of the time.
    const answers: { name: string; res: Awaited<ReturnType<typeof run>> }[] = [];
    for (let i = 0; i < tsxScripts.length; i += 3) {
      const batch = tsxScripts.slice(i, i + 3);
      answers.push(...(await Promise.all(batch.map(async ([name, file]) => ({ name, res: await run(file, ["--help"]) })))));
    }
    for (const { name, res } of answers) {
      expect({ name, code: res.code, stderr: res.stderr }).toEqual({ name, code: 0, stderr: "" });
      expect(res.stdout, name).toMatch(/^Usage: npm (run |start)/);
      expect(res.stdout, name).toContain("--help");
    }
    expect(writtenFiles.map(fingerprint)).toEqual(before);
  }, 120_000);

  it("answer an unknown option with exit 1, naming it, and the usage", async () => {
    for (const [name, file] of tsxScripts.filter(([n]) => ["projections:rebuild", "analytics:replay"].includes(n))) {
      const res = await run(file, ["--frobnicate"]);
      expect(res.code, name).toBe(1);
      expect(res.stderr, name).toContain("--frobnicate");
      expect(res.stderr, name).toContain("Usage: npm");
    }
  }, 60_000);
});
