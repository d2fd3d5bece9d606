/**
 * Messages between the host process (listeners, triggers, the clock) and the worker process that loads the app
 * and its one copy of `@azure/functions`, as the real host and Node.js worker split the work (over gRPC there,
 * over the fork IPC channel here).
 */
import type { FunctionMetadata, RpcInvocationRequest, RpcInvocationResponse, RpcLogCategory, RpcLogLevel } from "./rpc-types.js";

export interface WorkerInit {
  type: "init";
  appDir: string;
  entryFiles: string[];
  /** Logs below this level are dropped in the worker (after the app's log hooks), not sent to a host that drops them. */
  logLevel: RpcLogLevel;
}

export interface InvokeRequest {
  type: "invoke";
  functionName: string;
  request: RpcInvocationRequest;
}

/**
 * The emulator clock's offset from wall time, sent whenever the clock moves. The worker keeps it in the
 * environment setting CLOCK_OFFSET_SETTING, through which an app reads its "now" (0 or unset under Azure).
 */
export interface ClockMoved {
  type: "clock";
  offsetMs: number;
}

/** The app setting that carries the emulator clock's offset into the worker. */
export const CLOCK_OFFSET_SETTING = "EMULATOR_CLOCK_OFFSET_MS";

export interface TerminateRequest {
  type: "terminate";
}

export interface InvokeBatch {
  type: "invokeBatch";
  requests: InvokeRequest[];
}

export type HostToWorker = WorkerInit | InvokeRequest | InvokeBatch | ClockMoved | TerminateRequest;

export interface WorkerReady {
  type: "ready";
  functions: FunctionMetadata[];
  capabilities: Record<string, string>;
}

export interface WorkerLoadFailed {
  type: "loadFailed";
  message: string;
}

export interface InvokeResult {
  type: "invokeResult";
  invocationId: string;
  response?: RpcInvocationResponse;
  error?: { name: string; message: string; stack?: string };
}

export interface WorkerLog {
  type: "log";
  invocationId?: string;
  level: RpcLogLevel;
  category: RpcLogCategory;
  message: string;
}

export interface WorkerTerminated {
  type: "terminated";
}

/** Results and logs of one event-loop turn of the worker, in order. */
export interface WorkerBatch {
  type: "batch";
  messages: (InvokeResult | WorkerLog)[];
}

export type WorkerToHost = WorkerReady | WorkerLoadFailed | InvokeResult | WorkerLog | WorkerBatch | WorkerTerminated;
