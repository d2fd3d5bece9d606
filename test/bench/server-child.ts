/**
 * Starts `servicebus-server-process.ts` in a child process and talks to it over IPC. Set BENCH_CPU_PROF=DIR to get a
 * V8 CPU profile of each server child over each timed run, in DIR (open it in Chrome DevTools or speedscope).
 */
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";

export type ServerMode = "null-sink" | "emulator" | "emulator-durable";

export interface ServerChild {
  readonly pid: number;
  readonly connectionString: string;
  /** Start call to listening, inside the child (module loading excluded). */
  readonly startMs: number;
  /** Resident set and heap of the child after a full gc. */
  memory(): Promise<{ rss: number; heapUsed: number; external: number }>;
  /** CPU time the child has used so far, in microseconds. */
  cpu(): Promise<{ user: number; system: number }>;
  /** Starts a CPU profile; the returned function stops it and writes it to `file`. */
  profile(): Promise<(file: string) => Promise<void>>;
  close(): Promise<void>;
}

const script = fileURLToPath(new URL("./servicebus-server-process.ts", import.meta.url));

function nextMessage<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onMessage = (message: { type: string }) => {
      if (message.type !== type) return;
      cleanup();
      resolve(message as T);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`server child exited with code ${code} while waiting for "${type}"`));
    };
    const cleanup = () => {
      child.off("message", onMessage);
      child.off("exit", onExit);
    };
    child.on("message", onMessage);
    child.on("exit", onExit);
  });
}

export async function startServerChild(mode: ServerMode): Promise<ServerChild> {
  const child = fork(script, [mode], {
    execArgv: ["--import", "tsx", "--expose-gc"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const ready = await nextMessage<{ connectionString: string; startMs: number }>(child, "ready");
  return {
    pid: child.pid!,
    connectionString: ready.connectionString,
    startMs: ready.startMs,
    async memory() {
      const answer = nextMessage<{ rss: number; heapUsed: number; external: number }>(child, "memory");
      child.send({ type: "memory" });
      return answer;
    },
    async cpu() {
      const answer = nextMessage<{ user: number; system: number }>(child, "cpu");
      child.send({ type: "cpu" });
      return answer;
    },
    async profile() {
      const started = nextMessage(child, "profile-started");
      child.send({ type: "profile-start" });
      await started;
      return async (file: string) => {
        const stopped = nextMessage(child, "profile-stopped");
        child.send({ type: "profile-stop", file });
        await stopped;
      };
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.send({ type: "close" });
      await exited;
    },
  };
}
