/**
 * The worker process: the host forks it with the app's settings in its environment, as the Functions host starts
 * the Node.js language worker. It installs `@azure/functions-core` before any app code runs, loads the app's
 * entry files, runs appStart hooks, and then runs invocations the host sends over the IPC channel.
 */
import { pathToFileURL } from "node:url";
import type { HostToWorker, WorkerToHost } from "../ipc-messages.js";
import { CoreApiStandIn, installCoreModule } from "./core-api.js";
import { invokeFunction } from "./invoke.js";

function send(message: WorkerToHost, then?: () => void): void {
  if (!process.connected) return;
  process.send?.(message, undefined, {}, () => then?.());
}

const core = new CoreApiStandIn((level, category, message, invocationContext) => {
  const invocationId = (invocationContext as { invocationId?: string } | undefined)?.invocationId;
  send({ type: "log", level, category, message, invocationId });
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
    send({ type: "ready", functions: [...core.functions.values()].map((f) => f.metadata), capabilities });
  } catch (err) {
    const { message, stack } = describe(err);
    send({ type: "loadFailed", message: stack ?? message });
  }
}

process.on("message", (message: HostToWorker) => {
  switch (message.type) {
    case "init":
      void init(message.appDir, message.entryFiles);
      break;
    case "invoke": {
      const invocationId = message.request.invocationId;
      invokeFunction(core, message.functionName, message.request).then(
        (response) => send({ type: "invokeResult", invocationId, response }),
        (err: unknown) => send({ type: "invokeResult", invocationId, error: describe(err) }),
      );
      break;
    }
    case "terminate":
      runHooks("appTerminate")
        .catch((err: unknown) => core.emitLog("error", "system", `An appTerminate hook threw: ${describe(err).message}`))
        .finally(() => send({ type: "terminated" }, () => process.exit(0)));
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
