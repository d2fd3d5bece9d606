/**
 * Azurite (blob, queue and table) from the npm package, as a child process in the caller's process group: in memory,
 * or under a folder when `location` is given. Resolves once all three services listen, with their endpoints and the
 * development account's connection string. It ends with its parent, however the parent ends (exit-with-parent.cjs).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const AZURITE_ACCOUNT = "devstoreaccount1";
/** Azurite's documented development key (public, the same in every Azurite). */
export const AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface AzuriteOptions {
  blobPort: number;
  queuePort: number;
  tablePort: number;
  host?: string;
  /** Keep data in this folder; in memory when absent. */
  location?: string;
  startTimeoutMs?: number;
}

export interface AzuriteProcess {
  readonly pid: number | undefined;
  readonly blobEndpoint: string;
  readonly queueEndpoint: string;
  readonly tableEndpoint: string;
  readonly connectionString: string;
  close(): Promise<void>;
}

function azuriteScript(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve("azurite/package.json")), "dist", "src", "azurite.js");
}

export async function startAzurite(options: AzuriteOptions): Promise<AzuriteProcess> {
  const args = [azuriteScript(), "--blobHost", options.host ?? "127.0.0.1", "--queueHost", options.host ?? "127.0.0.1", "--tableHost", options.host ?? "127.0.0.1"];
  args.push("--blobPort", String(options.blobPort), "--queuePort", String(options.queuePort), "--tablePort", String(options.tablePort));
  if (options.location) {
    mkdirSync(options.location, { recursive: true });
    args.push("--location", options.location);
  } else {
    args.push("--inMemoryPersistence");
  }
  args.push("--silent", "--skipApiVersionCheck", "--loose", "--disableTelemetry");
  // Its stdin is a pipe from this process, and the preload ends it when that pipe closes: if this process dies
  // (even by SIGKILL), Azurite does not stay behind on its ports.
  const preload = ["--require", fileURLToPath(new URL("./exit-with-parent.cjs", import.meta.url))];
  const child: ChildProcess = spawn(process.execPath, [...preload, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  const endpoints: Record<string, string> = {};
  let output = "";
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`Azurite did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(err);
    };
    child.once("exit", (code) => fail(new Error(`Azurite exited with code ${code}:\n${output}`)));
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      for (const m of output.matchAll(/Azurite (Blob|Queue|Table) service is successfully listening at (\S+)/g)) endpoints[m[1].toLowerCase()] = m[2];
      if (endpoints.blob && endpoints.queue && endpoints.table) {
        clearTimeout(timer);
        child.removeAllListeners("exit");
        resolve();
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
  });
  // Keep draining its output so a chatty Azurite never blocks on a full pipe.
  child.stdout!.resume();
  child.stderr!.resume();
  const blobEndpoint = `${endpoints.blob}/${AZURITE_ACCOUNT}`;
  const queueEndpoint = `${endpoints.queue}/${AZURITE_ACCOUNT}`;
  const tableEndpoint = `${endpoints.table}/${AZURITE_ACCOUNT}`;
  return {
    pid: child.pid,
    blobEndpoint,
    queueEndpoint,
    tableEndpoint,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${blobEndpoint};QueueEndpoint=${queueEndpoint};TableEndpoint=${tableEndpoint};`,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        // "close" too: after a SIGTERM in --location mode Node was seen to report only "close", and a wait on "exit"
        // alone then let the event loop drain (the caller's process exited in the middle of its shutdown).
        child.once("exit", () => resolve());
        child.once("close", () => resolve());
        // A graceful stop flushes a durable workspace; it can wait on clients' keep-alive sockets, so cap it.
        child.kill(options.location ? "SIGTERM" : "SIGKILL");
        if (options.location) setTimeout(() => child.kill("SIGKILL"), 5000).unref();
      }),
  };
}
