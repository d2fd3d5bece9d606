/**
 * Runs one client as a child process with a hard timeout. The child gets its own process group so that a hung
 * client (and anything it spawned, e.g. kcat under Python) is killed as a whole; a timeout is reported, not waited out.
 */
import { spawn } from "node:child_process";

export interface ChildResult {
  code: number | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

export interface ChildOptions {
  env: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs: number;
}

export function runChild(command: string, args: string[], options: ChildOptions): Promise<ChildResult> {
  return new Promise((resolve) => {
    const stdio: ["ignore", "pipe", "pipe"] = ["ignore", "pipe", "pipe"];
    const child = spawn(command, args, { env: options.env, cwd: options.cwd, detached: true, stdio });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    // Keep only the tail of stderr: it goes into error cells, and a chatty client must not grow memory unbounded.
    child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-20_000)));
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, options.timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      resolve({ code: null, timedOut, stdout, stderr: `${stderr}\n${err.message}` });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      killGroup(); // stragglers the client left behind
      resolve({ code, timedOut, stdout, stderr });
    });
  });
}

/** Last non-empty stderr line, for an error cell. */
export function lastLine(text: string): string {
  const lines = text.split("\n").map((l) => l.trim()).filter(Boolean);
  return lines.at(-1) ?? "";
}
