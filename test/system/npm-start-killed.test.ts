/**
 * `npm start` killed outright leaves nothing behind: SIGKILL runs no handler, so its children must notice on their
 * own. Runs `npm start` as a user does, in a clone of the committed HEAD (node_modules linked from this checkout),
 * every port moved to a free one, then SIGKILLs first the process that runs scripts/start.ts (the parent of
 * Azurite and of the Functions worker), then, in a second start, npm itself; each time every process of the
 * command must be gone and every port free shortly after.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { rm } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/local-system/index.js";
import { repoRoot, until } from "./system-under-test.js";

const MINUTE = 60_000;
let workDir: string;
const started: ChildProcess[] = [];

beforeAll(() => {
  workDir = mkdtempSync(path.join(tmpdir(), "musicfest-killed-"));
  execFileSync("git", ["clone", "--quiet", repoRoot, workDir], { stdio: "pipe" });
  symlinkSync(path.join(repoRoot, "node_modules"), path.join(workDir, "node_modules"));
});

afterAll(async () => {
  for (const child of started) if (child.pid && groupMembers(child.pid).length) process.kill(-child.pid, "SIGKILL");
  if (workDir) await rm(workDir, { recursive: true, force: true, maxRetries: 3 });
}, 60_000);

interface ProcessInfo {
  pid: number;
  ppid: number;
  command: string;
}

/** The live (not zombie) processes of a process group, from /proc. */
function groupMembers(pgid: number): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const [state, ppid, pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(pgrp) !== pgid || state === "Z") continue;
      const command = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" ");
      out.push({ pid: Number(entry), ppid: Number(ppid), command });
    } catch {
      // The process ended while it was being read.
    }
  }
  return out;
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

async function startNpm(args: string[]): Promise<{ child: ChildProcess; ports: number[]; output: () => string }> {
  const variables = ["FUNCTIONS_PORT", "SERVICEBUS_PORT", "EMULATOR_HTTP_PORT", "KAFKA_PORT"];
  variables.push("AZURITE_BLOB_PORT", "AZURITE_QUEUE_PORT", "AZURITE_TABLE_PORT");
  const ports: number[] = [];
  for (let i = 0; i < variables.length; i++) ports.push(await freePort());
  const env: NodeJS.ProcessEnv = {};
  // A user's environment: none of the test runner's variables.
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(VITEST|NODE_OPTIONS$|npm_|TEST$|NODE_ENV$)/i.test(k)) env[k] = v;
  }
  variables.forEach((name, i) => (env[name] = String(ports[i])));
  // detached: its own process group, as a terminal gives a command.
  const child = spawn("npm", ["start", "--", ...args], {
    cwd: workDir,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.push(child);
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  await until(
    async () => output,
    (o) => o.includes("Press Ctrl-C to stop.") || child.exitCode !== null,
    5 * MINUTE,
  );
  expect(child.exitCode, output).toBeNull();
  for (const port of ports) expect(await portInUse(port), `port ${port} in use after start`).toBe(true);
  return { child, ports, output: () => output };
}

async function expectNothingLeft(pgid: number, ports: number[], output: () => string): Promise<void> {
  const left = await until(async () => groupMembers(pgid), (members) => members.length === 0, 20_000).catch(
    () => groupMembers(pgid),
  );
  expect(left.map((p) => `${p.pid} ${p.command}`), output()).toEqual([]);
  for (const port of ports) expect(await portInUse(port), `port ${port} still in use`).toBe(false);
}

describe("npm start killed with SIGKILL", () => {
  it("leaves no child behind when the process running scripts/start.ts is killed", async () => {
    const { child, ports, output } = await startNpm([]);
    const members = groupMembers(child.pid!);
    const azurite = members.find((p) => p.command.includes("azurite.js"));
    const worker = members.find((p) => p.command.includes("worker-main"));
    expect(azurite, JSON.stringify(members)).toBeDefined();
    expect(worker, JSON.stringify(members)).toBeDefined();
    // Azurite's and the worker's parent: the process that runs scripts/start.ts.
    expect(worker!.ppid).toBe(azurite!.ppid);
    process.kill(azurite!.ppid, "SIGKILL");
    await expectNothingLeft(child.pid!, ports, output);
  }, 8 * MINUTE);

  it("shuts down, and leaves nothing behind, when npm itself is killed", async () => {
    const { child, ports, output } = await startNpm(["--no-build"]);
    process.kill(child.pid!, "SIGKILL");
    await expectNothingLeft(child.pid!, ports, output);
  }, 8 * MINUTE);
});
