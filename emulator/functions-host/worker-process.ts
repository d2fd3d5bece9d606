/**
 * The host's side of the language worker: forks the worker with the app's environment, waits for its function
 * list, sends invocations and routes their results back. The app and its one copy of `@azure/functions` live only
 * in the worker, so each host gets a fresh library state and its own environment, as under `func start`.
 */
import { fork, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Logger } from "../common/logger.js";
import { IpcBatch } from "./ipc-batch.js";
import { CLOCK_OFFSET_SETTING, type HostToWorker, type InvokeRequest, type WorkerToHost } from "./ipc-messages.js";
import type { FunctionMetadata, RpcInvocationRequest, RpcInvocationResponse, RpcLogLevel } from "./rpc-types.js";

/** A failure the user's function raised (or a hook), as opposed to a failure of the host. */
export class FunctionInvocationError extends Error {
  constructor(
    readonly functionName: string,
    readonly invocationId: string,
    readonly failure: { name: string; message: string; stack?: string },
  ) {
    super(`Exception while executing function: Functions.${functionName}. ${failure.name}: ${failure.message}`);
    this.name = "FunctionInvocationError";
  }
}

export interface StartWorkerOptions {
  appDir: string;
  entryFiles: string[];
  env: Record<string, string>;
  logger: Logger;
  /** The least severe worker log the host keeps; the worker drops the rest. Default: all. */
  logLevel?: RpcLogLevel;
  /** The emulator clock's offset from wall time when the worker starts (see ClockMoved). Default: 0. */
  clockOffsetMs?: number;
  /** The worker's command line: the host's gRPC address for SDK bindings, as Azure's host passes it. */
  args?: string[];
}

interface Pending {
  functionName: string;
  resolve: (r: RpcInvocationResponse) => void;
  reject: (e: Error) => void;
}

const workerFile = (() => {
  const self = fileURLToPath(import.meta.url);
  return self.replace(/worker-process\.(ts|js)$/, "worker/worker-main.$1");
})();

/** TypeScript sources (ours when run from source, or the app's) need tsx's loader in the worker. */
function loaderArgs(entryFiles: string[]): string[] {
  const needsTs = workerFile.endsWith(".ts") || entryFiles.some((f) => /\.[mc]?ts$/.test(f));
  if (!needsTs) return [];
  const tsx = createRequire(import.meta.url).resolve("tsx");
  return ["--import", pathToFileURL(tsx).href];
}

interface Spawned {
  child: ChildProcess;
  functions: FunctionMetadata[];
  capabilities: Record<string, string>;
}

/** Forks the worker, loads the app in it and waits for its function list. */
async function spawnWorker(options: StartWorkerOptions): Promise<Spawned> {
  const logger = options.logger;
  const child = fork(workerFile, options.args ?? [], {
    cwd: options.appDir,
    // The offset is in the environment before the app's first line runs; later moves arrive over IPC.
    env: { ...options.env, [CLOCK_OFFSET_SETTING]: String(options.clockOffsetMs ?? 0) },
    // `languageWorkers__node__arguments` (e.g. "--inspect=9229") passes Node options to the worker, as with the Functions host.
    execArgv: [...loaderArgs(options.entryFiles), ...(options.env.languageWorkers__node__arguments ?? "").split(/\s+/).filter(Boolean)],
    serialization: "advanced",
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  child.stdout?.on("data", (d: Buffer) => logger.info(d.toString().trimEnd(), { stream: "stdout" }));
  child.stderr?.on("data", (d: Buffer) => logger.warn(d.toString().trimEnd(), { stream: "stderr" }));

  return new Promise<Spawned>((resolve, reject) => {
    const onMessage = (m: WorkerToHost) => {
      if (m.type === "ready") {
        cleanup();
        resolve({ child, functions: m.functions, capabilities: m.capabilities });
      } else if (m.type === "loadFailed") {
        cleanup();
        child.kill();
        reject(new Error(`The function app in ${options.appDir} failed to load: ${m.message}`));
      } else if (m.type === "log") {
        logger.debug(m.message, { level: m.level, category: m.category });
      } else if (m.type === "batch") {
        for (const l of m.messages) if (l.type === "log") logger.debug(l.message, { level: l.level, category: l.category });
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`The Functions worker exited (code ${code}) before the app was loaded.`));
    };
    const cleanup = () => {
      child.off("message", onMessage);
      child.off("exit", onExit);
    };
    child.on("message", onMessage);
    child.on("exit", onExit);
    child.send({ type: "init", appDir: options.appDir, entryFiles: options.entryFiles, logLevel: options.logLevel ?? "trace" } satisfies HostToWorker);
  });
}

// After an unexpected exit the host starts a new worker, as the Functions host does; a worker that keeps dying
// is given up after this many restarts in a row without a successful invocation in between.
const MAX_RESTARTS = 5;
const RESTART_DELAY_MS = 500;

export class WorkerProcess {
  private readonly pending = new Map<string, Pending>();
  private closing = false;
  private restarting: Promise<void> | undefined;
  private failedRestarts = 0;
  private gaveUp: Error | undefined;
  private readonly outgoing = new IpcBatch<InvokeRequest>((requests) => {
    const child = this.current.child;
    if (!child.connected) return;
    child.send(requests.length === 1 ? requests[0] : ({ type: "invokeBatch", requests } satisfies HostToWorker));
  });

  private constructor(
    private readonly options: StartWorkerOptions,
    private current: Spawned,
  ) {
    this.attach(current.child);
  }

  static async start(options: StartWorkerOptions): Promise<WorkerProcess> {
    return new WorkerProcess(options, await spawnWorker(options));
  }

  get functions(): FunctionMetadata[] {
    return this.current.functions;
  }

  /** The worker's capabilities; HttpUri (the library's stream proxy) changes when a worker is restarted. */
  get capabilities(): Record<string, string> {
    return this.current.capabilities;
  }

  async invoke(functionName: string, request: RpcInvocationRequest): Promise<RpcInvocationResponse> {
    if (this.restarting) await this.restarting;
    if (this.closing) throw new Error("The Functions host is shutting down.");
    if (this.gaveUp) throw this.gaveUp;
    return new Promise((resolve, reject) => {
      this.pending.set(request.invocationId, {
        functionName,
        resolve: (r) => {
          this.failedRestarts = 0;
          resolve(r);
        },
        reject,
      });
      this.outgoing.push({ type: "invoke", functionName, request });
    });
  }

  /** Tells the worker (and any worker started later) that the emulator clock now runs `offsetMs` ahead of wall time. */
  setClockOffset(offsetMs: number): void {
    this.options.clockOffsetMs = offsetMs;
    const child = this.current.child;
    if (child.connected) child.send({ type: "clock", offsetMs } satisfies HostToWorker);
  }

  /** Runs appTerminate hooks in the worker and waits for it to exit (killing it if it hangs). */
  async close(timeoutMs = 5000): Promise<void> {
    this.closing = true;
    await this.restarting;
    const child = this.current.child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    this.outgoing.flush();
    child.send({ type: "terminate" } satisfies HostToWorker);
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    await exited;
    clearTimeout(timer);
  }

  private attach(child: ChildProcess): void {
    child.on("message", (m: WorkerToHost) => this.onMessage(m));
    child.on("exit", (code, signal) => this.onExit(child, code, signal));
  }

  private onMessage(m: WorkerToHost): void {
    const logger = this.options.logger;
    if (m.type === "batch") {
      for (const inner of m.messages) this.onMessage(inner);
    } else if (m.type === "invokeResult") {
      const p = this.pending.get(m.invocationId);
      if (!p) return;
      this.pending.delete(m.invocationId);
      if (m.error) p.reject(new FunctionInvocationError(p.functionName, m.invocationId, m.error));
      else p.resolve(m.response ?? {});
    } else if (m.type === "log") {
      const fields = { category: m.category, invocationId: m.invocationId };
      if (m.level === "error" || m.level === "critical") logger.error(m.message, fields);
      else if (m.level === "warning") logger.warn(m.message, fields);
      else if (m.level === "information") logger.info(m.message, fields);
      else logger.debug(m.message, fields);
    }
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.current.child) return;
    this.outgoing.clear();
    for (const [id, p] of this.pending) p.reject(new Error(`The Functions worker exited (code ${code}, signal ${signal}) during invocation ${id}.`));
    this.pending.clear();
    if (this.closing) return;
    this.options.logger.error("The Functions worker exited unexpectedly; starting a new one", { code, signal });
    this.restarting = this.restart().finally(() => (this.restarting = undefined));
  }

  private async restart(): Promise<void> {
    while (!this.closing) {
      if (++this.failedRestarts > MAX_RESTARTS) {
        this.gaveUp = new Error(`The Functions worker exited ${MAX_RESTARTS} times in a row; the host stopped restarting it.`);
        this.options.logger.error(this.gaveUp.message);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, RESTART_DELAY_MS));
      if (this.closing) return;
      try {
        this.current = await spawnWorker(this.options);
        this.attach(this.current.child);
        return;
      } catch (err) {
        this.options.logger.error("Restarting the Functions worker failed", { error: (err as Error).message });
      }
    }
  }
}
