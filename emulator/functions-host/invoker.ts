/**
 * Every invocation goes through here: a fresh invocation id, the worker call, and one log line per invocation
 * (function, trigger, duration, outcome, invocation id, correlation id), also handed to `onInvocation` listeners.
 * The trigger names the correlation id (a message's CorrelationId, an event's correlationid, a request's
 * x-correlation-id or traceparent); without one the invocation id stands in, so every line carries one.
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
  correlationId: string;
  error?: string;
}

/** What a trigger asks for: the worker's request plus the host-side correlation of the invocation. */
export type InvokeRequest = Omit<RpcInvocationRequest, "invocationId"> & {
  invocationId?: string;
  /** The correlation id the trigger found in its input. */
  correlationId?: string;
  /** Reads a correlation id from the function's response (an HTTP response header), which wins when present. */
  correlationFromResponse?: (response: RpcInvocationResponse) => string | undefined;
};

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

  async invoke(fn: HostedFunction, request: InvokeRequest): Promise<RpcInvocationResponse> {
    const { correlationId: given, correlationFromResponse, invocationId: chosenId, ...rpc } = request;
    const invocationId = chosenId ?? this.newInvocationId();
    let correlationId = given || invocationId;
    const started = performance.now();
    const record = (outcome: InvocationRecord["outcome"], error?: string): InvocationRecord => ({
      functionName: fn.name,
      trigger: fn.trigger.type,
      invocationId,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      outcome,
      correlationId,
      ...(error === undefined ? {} : { error }),
    });
    this.logger.debug(`Executing 'Functions.${fn.name}' (Id=${invocationId}, CorrelationId=${correlationId})`, { trigger: fn.trigger.type });
    try {
      const response = await this.worker.invoke(fn.name, { ...rpc, invocationId });
      correlationId = correlationFromResponse?.(response) || correlationId;
      await this.outputs?.forward(fn, response);
      this.emit(record("succeeded"));
      return response;
    } catch (err) {
      this.emit(record("failed", (err as Error).message));
      throw err;
    }
  }

  private emit(r: InvocationRecord): void {
    const line = `Executed 'Functions.${r.functionName}' (${r.outcome === "succeeded" ? "Succeeded" : "Failed"}, Id=${r.invocationId}, CorrelationId=${r.correlationId}, Duration=${r.durationMs}ms)`;
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
