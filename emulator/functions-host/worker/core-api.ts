/**
 * The `@azure/functions-core` stand-in. The real Node.js worker makes this built-in module available by proxying
 * `Module.prototype.require` (worker src/setupCoreModule.ts); doing the same here means the app's own copy of
 * `@azure/functions` leaves "test mode" and hands us every `app.*` registration, every hook and its
 * ProgrammingModel.
 */
import Module from "node:module";
import type { FunctionMetadata, RpcLogCategory, RpcLogLevel } from "../rpc-types.js";

export type FunctionCallback = (...args: unknown[]) => unknown;
export type HookCallback = (context: Record<string, unknown>) => unknown;
export type HookName = "preInvocation" | "postInvocation" | "appStart" | "appTerminate" | "log";
const hookNames: readonly HookName[] = ["preInvocation", "postInvocation", "appStart", "appTerminate", "log"];

export interface InvocationModel {
  getArguments(): Promise<{ context: unknown; inputs: unknown[] }>;
  invokeFunction(context: unknown, inputs: unknown[], callback: FunctionCallback): Promise<unknown>;
  getResponse(context: unknown, result: unknown): Promise<unknown>;
}

export interface ProgrammingModel {
  name: string;
  version: string;
  getInvocationModel(coreContext: unknown): InvocationModel | Promise<InvocationModel>;
  getCapabilities?(defaults: Record<string, string>): Record<string, string> | Promise<Record<string, string>>;
}

export interface RegisteredFunction {
  metadata: FunctionMetadata;
  callback: FunctionCallback;
}

/** Raised the way the worker raises its own errors, so the library's checks (e.g. for log hooks) behave alike. */
class CoreApiError extends Error {
  readonly isAzureFunctionsSystemError = true;
}

export class Disposable {
  static from(...likes: { dispose: () => unknown }[]): Disposable {
    return new Disposable(() => likes.forEach((l) => l.dispose()));
  }
  #callOnDispose: (() => unknown) | undefined;
  constructor(callOnDispose: () => unknown) {
    this.#callOnDispose = callOnDispose;
  }
  dispose(): unknown {
    const fn = this.#callOnDispose;
    this.#callOnDispose = undefined;
    return fn?.();
  }
}

// Function names the Functions host accepts (ScriptConstants.FunctionNameValidationRegex).
const FUNCTION_NAME = /^[a-z][a-z0-9_-]{0,127}$/i;

export type LogSink = (level: RpcLogLevel, category: RpcLogCategory, message: string, invocationContext?: unknown) => void;

export class CoreApiStandIn {
  readonly functions = new Map<string, RegisteredFunction>();
  readonly hooks = new Map<HookName, HookCallback[]>(hookNames.map((n) => [n, []]));
  readonly appHookData: Record<string, unknown> = {};
  programmingModel: ProgrammingModel | undefined;
  private registrationOpen = true;

  constructor(
    private readonly sink: LogSink,
    readonly hostVersion = "4.1040.0",
  ) {}

  /** After start-up the real worker refuses new functions; so do we. */
  closeRegistration(): void {
    this.registrationOpen = false;
  }

  /** Emits a log through the log hooks (which may change level and message of user logs), then to the host. */
  emitLog(level: RpcLogLevel, category: RpcLogCategory, message: string, invocationContext?: unknown): void {
    const hooks = this.hooks.get("log") ?? [];
    if (hooks.length > 0) {
      const ctx = { hookData: {}, appHookData: this.appHookData, invocationContext, category, level, message };
      for (const hook of hooks) {
        try {
          hook(ctx);
        } catch (err) {
          this.sink("error", "system", `A log hook threw: ${(err as Error)?.message ?? String(err)}`);
        }
      }
      if (category === "user") {
        level = ctx.level;
        message = ctx.message;
      }
    }
    this.sink(level, category, message, invocationContext);
  }

  /** The object `require('@azure/functions-core')` returns. */
  module(): Record<string, unknown> {
    return {
      version: "3.12.0",
      hostVersion: this.hostVersion,
      registerFunction: (metadata: FunctionMetadata, callback: FunctionCallback) => this.registerFunction(metadata, callback),
      registerHook: (name: string, callback: HookCallback) => this.registerHook(name, callback),
      setProgrammingModel: (model: ProgrammingModel) => {
        this.programmingModel = model;
      },
      getProgrammingModel: () => this.programmingModel,
      log: (level: RpcLogLevel, category: RpcLogCategory, message: string) => this.emitLog(level, category, message),
      Disposable,
    };
  }

  private registerFunction(metadata: FunctionMetadata, callback: FunctionCallback): Disposable {
    if (!this.registrationOpen) throw new CoreApiError("A function can only be registered during app startup.");
    if (!FUNCTION_NAME.test(metadata.name)) {
      throw new CoreApiError(`The function name "${metadata.name}" is invalid: use letters, digits, "_" and "-", starting with a letter, at most 128 characters.`);
    }
    const key = metadata.name.toLowerCase();
    if (this.functions.has(key)) throw new CoreApiError(`A function with name "${metadata.name}" has already been registered.`);
    this.functions.set(key, { metadata, callback });
    return new Disposable(() => {
      if (!this.registrationOpen) throw new CoreApiError("A function can only be disposed during app startup.");
      this.functions.delete(key);
    });
  }

  private registerHook(name: string, callback: HookCallback): Disposable {
    const list = this.hooks.get(name as HookName);
    if (!list) {
      const err = new CoreApiError(`"${name}" is not a valid hook name. Use one of ${hookNames.join(", ")}.`);
      err.name = "RangeError";
      throw err;
    }
    list.push(callback);
    return new Disposable(() => {
      const at = list.indexOf(callback);
      if (at >= 0) list.splice(at, 1);
    });
  }
}

/** Makes `require('@azure/functions-core')` return `api` in this process, as the worker's setupCoreModule does. */
export function installCoreModule(api: Record<string, unknown>): void {
  const proto = Module.prototype as unknown as { require: (id: string) => unknown };
  proto.require = new Proxy(proto.require, {
    apply(target, thisArg, args: [string]) {
      if (args[0] === "@azure/functions-core") return api;
      return Reflect.apply(target, thisArg, args);
    },
  });
}
