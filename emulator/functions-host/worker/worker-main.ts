/**
 * The worker process: the host forks it with the app's settings in its environment, as the Functions host starts
 * the Node.js language worker. It installs `@azure/functions-core` before any app code runs, loads the app's
 * entry files, runs appStart hooks, and then runs invocations the host sends over the IPC channel.
 */
import { pathToFileURL } from "node:url";
import {
  CLOCK_OFFSET_SETTING,
  type HostToWorker,
  type InvokeRequest,
  type InvokeResult,
  type WorkerLog,
  type WorkerToHost,
} from "../ipc-messages.js";
import { IpcBatch } from "../ipc-batch.js";
import type { RpcLogLevel } from "../rpc-types.js";
import { CoreApiStandIn, installCoreModule } from "./core-api.js";
import { invokeFunction } from "./invoke.js";

function send(message: WorkerToHost, then?: () => void): void {
  if (!process.connected) return;
  process.send?.(message, undefined, {}, () => then?.());
}

const outgoing = new IpcBatch<InvokeResult | WorkerLog>((messages) => send(messages.length === 1 ? messages[0] : { type: "batch", messages }));

const LOG_ORDER: Record<RpcLogLevel, number> = { none: 0, critical: 1, error: 1, warning: 2, information: 3, debug: 4, trace: 4 };
let logLevel: RpcLogLevel = "trace";

const core = new CoreApiStandIn((level, category, message, invocationContext) => {
  if (LOG_ORDER[level] > LOG_ORDER[logLevel]) return;
  const invocationId = (invocationContext as { invocationId?: string } | undefined)?.invocationId;
  outgoing.push({ type: "log", level, category, message, invocationId });
});
installCoreModule(core.module());

function describe(err: unknown): { name: string; message: string; stack?: string } {
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { name: "Error", message: typeof err === "string" ? err : JSON.stringify(err) ?? String(err) };
}

async function runHooks(name: "appStart" | "appTerminate", extra: Record<string, unknown> = {}): Promise<void> {
  for (const hook of core.hooks.get(name) ?? []) await hook({ hookData: core.appHookData, appHookData: core.appHookData, ...extra });
}

async function init(appDir: string, entryFiles: string[]): Promise<void> {
  try {
    for (const file of entryFiles) await import(pathToFileURL(file).href);
    await runHooks("appStart", { functionAppDirectory: appDir });
    const capabilities = (await core.programmingModel?.getCapabilities?.({})) ?? {};
    core.closeRegistration();
    outgoing.flush();
    send({ type: "ready", functions: [...core.functions.values()].map((f) => f.metadata), capabilities });
  } catch (err) {
    const { message, stack } = describe(err);
    outgoing.flush();
    send({ type: "loadFailed", message: stack ?? message });
  }
}

function invoke({ functionName, request }: InvokeRequest): void {
  const invocationId = request.invocationId;
  invokeFunction(core, functionName, request).then(
    (response) => outgoing.push({ type: "invokeResult", invocationId, response }),
    (err: unknown) => outgoing.push({ type: "invokeResult", invocationId, error: describe(err) }),
  );
}

process.on("message", (message: HostToWorker) => {
  switch (message.type) {
    case "init":
      logLevel = message.logLevel;
      void init(message.appDir, message.entryFiles);
      break;
    case "invoke":
      invoke(message);
      break;
    case "invokeBatch":
      for (const request of message.requests) invoke(request);
      break;
    case "clock":
      // The app reads its "now" through this setting (see CLOCK_OFFSET_SETTING); it arrives before any invocation
      // that the move caused, since both travel over this one ordered channel.
      process.env[CLOCK_OFFSET_SETTING] = String(message.offsetMs);
      break;
    case "terminate":
      runHooks("appTerminate")
        .catch((err: unknown) => core.emitLog("error", "system", `An appTerminate hook threw: ${describe(err).message}`))
        .finally(() => {
          outgoing.flush();
          send({ type: "terminated" }, () => process.exit(0));
        });
      break;
  }
});

// App code that forgets to await must not take the whole app down; the real worker logs these too.
process.on("unhandledRejection", (reason) => core.emitLog("error", "system", `Unhandled promise rejection: ${describe(reason).stack ?? describe(reason).message}`));
process.on("uncaughtException", (err) => core.emitLog("error", "system", `Uncaught exception: ${err.stack ?? err.message}`));
process.on("disconnect", () => process.exit(0));
// Ctrl-C in a terminal signals the whole process group; the host decides when the worker stops (it sends
// "terminate" on close, and the worker leaves when the host's channel goes), so the interrupt is not a crash here.
process.on("SIGINT", () => undefined);
