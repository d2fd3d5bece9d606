/**
 * The host's side of the language worker: forks the worker with the app's environment, waits for its function
 * list, sends invocations and routes their results back. The app and its one copy of `@azure/functions` live only
 * in the worker, so each host gets a fresh library state and its own environment, as under `func start`.
 */
import { fork, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Logger } from "../common/logger.js";
import type { HostToWorker, WorkerToHost } from "./ipc-messages.js";
import type { FunctionMetadata, RpcInvocationRequest, RpcInvocationResponse } from "./rpc-types.js";

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

export class WorkerProcess {
  private readonly pending = new Map<string, Pending>();
  private exited = false;
  private constructor(
    private readonly child: ChildProcess,
    private readonly logger: Logger,
    readonly functions: FunctionMetadata[],
    readonly capabilities: Record<string, string>,
  ) {}

  static async start(options: StartWorkerOptions): Promise<WorkerProcess> {
    const logger = options.logger;
    const child = fork(workerFile, [], {
      cwd: options.appDir,
      env: options.env,
      execArgv: loaderArgs(options.entryFiles),
      serialization: "advanced",
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    child.stdout?.on("data", (d: Buffer) => logger.info(d.toString().trimEnd(), { stream: "stdout" }));
    child.stderr?.on("data", (d: Buffer) => logger.warn(d.toString().trimEnd(), { stream: "stderr" }));

    const ready = await new Promise<{ functions: FunctionMetadata[]; capabilities: Record<string, string> }>((resolve, reject) => {
      const onMessage = (m: WorkerToHost) => {
        if (m.type === "ready") {
          cleanup();
          resolve(m);
        } else if (m.type === "loadFailed") {
          cleanup();
          child.kill();
          reject(new Error(`The function app in ${options.appDir} failed to load: ${m.message}`));
        } else if (m.type === "log") {
          logger.debug(m.message, { level: m.level, category: m.category });
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
      child.send({ type: "init", appDir: options.appDir, entryFiles: options.entryFiles } satisfies HostToWorker);
    });

    const worker = new WorkerProcess(child, logger, ready.functions, ready.capabilities);
    child.on("message", (m: WorkerToHost) => worker.onMessage(m));
    child.on("exit", (code, signal) => worker.onExit(code, signal));
    return worker;
  }

  invoke(functionName: string, request: RpcInvocationRequest): Promise<RpcInvocationResponse> {
    if (this.exited) return Promise.reject(new Error("The Functions worker is not running."));
    return new Promise((resolve, reject) => {
      this.pending.set(request.invocationId, { functionName, resolve, reject });
      this.child.send({ type: "invoke", functionName, request } satisfies HostToWorker);
    });
  }

  /** Runs appTerminate hooks in the worker and waits for it to exit (killing it if it hangs). */
  async close(timeoutMs = 5000): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.send({ type: "terminate" } satisfies HostToWorker);
    const timer = setTimeout(() => this.child.kill("SIGKILL"), timeoutMs);
    await exited;
    clearTimeout(timer);
  }

  private onMessage(m: WorkerToHost): void {
    if (m.type === "invokeResult") {
      const p = this.pending.get(m.invocationId);
      if (!p) return;
      this.pending.delete(m.invocationId);
      if (m.error) p.reject(new FunctionInvocationError(p.functionName, m.invocationId, m.error));
      else p.resolve(m.response ?? {});
    } else if (m.type === "log") {
      const fields = { category: m.category, invocationId: m.invocationId };
      if (m.level === "error" || m.level === "critical") this.logger.error(m.message, fields);
      else if (m.level === "warning") this.logger.warn(m.message, fields);
      else if (m.level === "information") this.logger.info(m.message, fields);
      else this.logger.debug(m.message, fields);
    }
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.exited = true;
    for (const [id, p] of this.pending) p.reject(new Error(`The Functions worker exited (code ${code}, signal ${signal}) during invocation ${id}.`));
    this.pending.clear();
  }
}
