/**
 * Azurite for tests, from the npm package (CI has nothing installed globally): blob, queue and table services on
 * free ports, in memory, silent, with the well-known development account.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";

export const AZURITE_ACCOUNT = "devstoreaccount1";
/** Azurite's documented development key (public, the same in every Azurite). */
export const AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface AzuriteInstance {
  blobEndpoint: string;
  queueEndpoint: string;
  tableEndpoint: string;
  connectionString: string;
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);

function azuriteScript(): string {
  return path.join(path.dirname(require.resolve("azurite/package.json")), "dist", "src", "azurite.js");
}

export async function startAzurite(timeoutMs = 20_000): Promise<AzuriteInstance> {
  const child: ChildProcess = spawn(
    process.execPath,
    [azuriteScript(), "--blobPort", "0", "--queuePort", "0", "--tablePort", "0", "--inMemoryPersistence", "--silent", "--skipApiVersionCheck", "--loose", "--disableTelemetry"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const endpoints: Record<string, string> = {};
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`Azurite did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill();
      reject(err);
    };
    child.once("exit", (code) => fail(new Error(`Azurite exited with ${code}:\n${output}`)));
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
  const blobEndpoint = `${endpoints.blob}/${AZURITE_ACCOUNT}`;
  const queueEndpoint = `${endpoints.queue}/${AZURITE_ACCOUNT}`;
  const tableEndpoint = `${endpoints.table}/${AZURITE_ACCOUNT}`;
  return {
    blobEndpoint,
    queueEndpoint,
    tableEndpoint,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${blobEndpoint};QueueEndpoint=${queueEndpoint};TableEndpoint=${tableEndpoint};`,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        // In-memory data has nothing to flush, and a graceful stop waits for clients' keep-alive sockets.
        child.kill("SIGKILL");
      }),
  };
}
