/**
 * Start-to-ready figures: startEmulator() in a fresh process (several starts, each until /health answers), and a
 * CLI (`tsx emulator/cli.ts` by default, or the package's compiled bin) from spawn until it prints its ready line.
 */
import { execFile, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const startupScript = fileURLToPath(new URL("./servicebus-startup-process.ts", import.meta.url));
const tsxBin = `${repoRoot}node_modules/.bin/tsx`;

export async function programmaticStarts(count: number): Promise<{ importMs: number; startsMs: number[] }> {
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ["--import", "tsx", startupScript, String(count)], { cwd: repoRoot, timeout: 60_000 }, (err, out, errOut) => {
      if (err) reject(new Error(`startup child failed: ${err.message}\n${errOut}`));
      else resolve(out);
    });
  });
  const line = stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(line) as { importMs: number; startsMs: number[] };
}

/**
 * Milliseconds from spawning the CLI (`command` with `args`; default the sources under tsx) until it prints
 * "Emulator ready"; the child is then stopped with SIGTERM.
 */
export async function cliStartToReady(command = tsxBin, args = ["emulator/cli.ts"]): Promise<number> {
  const started = performance.now();
  const ports = ["--servicebus-port", "0", "--servicebus-amqps-port", "0", "--http-port", "0", "--kafka-port", "0"];
  const child = spawn(command, [...args, ...ports, "--log-level", "silent"], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    return await new Promise<number>((resolve, reject) => {
      let out = "";
      let errOut = "";
      const timer = setTimeout(() => reject(new Error(`the CLI did not print its ready line within 30 s:\n${out}${errOut}`)), 30_000);
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes("Emulator ready")) {
          clearTimeout(timer);
          resolve(performance.now() - started);
        }
      });
      child.stderr.on("data", (chunk: Buffer) => (errOut += chunk.toString()));
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the CLI exited with code ${code} before it was ready:\n${out}${errOut}`));
      });
    });
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
}
