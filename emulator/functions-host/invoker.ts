/**
 * Every invocation goes through here: a fresh invocation id, the worker call, and one log line per invocation
 * (function, trigger, duration, outcome, invocation id), also handed to `onInvocation` listeners.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "../common/logger.js";
import type { HostedFunction } from "./function-registry.js";
import type { RpcInvocationRequest, RpcInvocationResponse } from "./rpc-types.js";
import type { OutputBindings } from "./outputs/output-bindings.js";
import type { WorkerProcess } from "./worker-process.js";

export interface InvocationRecord {
  functionName: string;
  trigger: string;
  invocationId: string;
  durationMs: number;
  outcome: "succeeded" | "failed";
  error?: string;
}

export type InvocationListener = (record: InvocationRecord) => void;

export class Invoker {
  private readonly listeners = new Set<InvocationListener>();

  constructor(
    private readonly worker: WorkerProcess,
    private readonly logger: Logger,
    private readonly outputs?: OutputBindings,
  ) {}

  onInvocation(listener: InvocationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  newInvocationId(): string {
    return randomUUID();
  }

  async invoke(fn: HostedFunction, request: Omit<RpcInvocationRequest, "invocationId"> & { invocationId?: string }): Promise<RpcInvocationResponse> {
    const invocationId = request.invocationId ?? this.newInvocationId();
    const started = performance.now();
    const record = (outcome: InvocationRecord["outcome"], error?: string): InvocationRecord => ({
      functionName: fn.name,
      trigger: fn.trigger.type,
      invocationId,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      outcome,
      ...(error === undefined ? {} : { error }),
    });
    this.logger.info(`Executing 'Functions.${fn.name}'`, { trigger: fn.trigger.type, invocationId });
    try {
      const response = await this.worker.invoke(fn.name, { ...request, invocationId });
      await this.outputs?.forward(fn, response);
      this.emit(record("succeeded"));
      return response;
    } catch (err) {
      this.emit(record("failed", (err as Error).message));
      throw err;
    }
  }

  private emit(r: InvocationRecord): void {
    const line = `Executed 'Functions.${r.functionName}' (${r.outcome === "succeeded" ? "Succeeded" : "Failed"}, Id=${r.invocationId}, Duration=${r.durationMs}ms)`;
    if (r.outcome === "succeeded") this.logger.info(line, { trigger: r.trigger });
    else this.logger.error(line, { trigger: r.trigger, error: r.error });
    // Listeners hear of it once the trigger has armed its follow-up (next occurrence, retry timer), so a test that
    // moves the clock as soon as it sees the record finds that timer in place.
    setImmediate(() => {
      for (const l of this.listeners) {
        try {
          l(r);
        } catch (err) {
          this.logger.warn("an invocation listener threw", { error: String(err) });
        }
      }
    });
  }
}
