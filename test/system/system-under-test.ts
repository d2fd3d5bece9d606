/**
 * The whole system for a test file: Azurite, the emulator with the system's topology (topology/) and the
 * local Functions host running the app from its TypeScript sources, all on free ports. The host gets its own app
 * folder in a temp dir (the repo's host.json, a package.json whose `main` is functions/index.ts), because the
 * repo's `main` points at the compiled dist/ that `npm start` and `func start` load.
 *
 * Each file may override app settings (a payment failure rate of 1, a short reservation timeout, concerts the
 * provider has no tickets for...) and moves the emulator's clock with `advanceClock` instead of sleeping.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { TableClient } from "@azure/data-tables";
import type { LogLevel } from "../../emulator/common/logger.js";
import type { InvocationRecord } from "../../emulator/functions-host/index.js";
import { emulatorAuthorizationHeader } from "../../emulator/servicebus/sas-token.js";
import { type LocalSystem, startLocalSystem } from "../../scripts/local-system/index.js";

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

export interface SystemUnderTest {
  readonly system: LocalSystem;
  /** The host's base URL, e.g. http://127.0.0.1:34567. */
  readonly url: string;
  readonly invocations: InvocationRecord[];
  /** Resolves with the first invocation of `functionName` (from `after` records on) that `match` accepts. */
  invocation(functionName: string, after?: number): Promise<InvocationRecord>;
  table(name: string): TableClient;
  /** Moves the emulator's clock (scheduled messages, lock expiry, timers) forward, over its HTTP endpoint. */
  advanceClock(ms: number): Promise<void>;
  close(): Promise<void>;
}

export interface SystemUnderTestOptions {
  /** App settings for this file's host, over the ones that point at the emulators. */
  settings?: Record<string, string>;
  /** Keep state on disk there, durable on acknowledgement, as `npm start -- --data-dir` does; in memory when absent. */
  dataDir?: string;
}

function appFolder(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "musicfest-app-"));
  copyFileSync(path.join(repoRoot, "host.json"), path.join(dir, "host.json"));
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "musicfest-app-under-test", private: true, type: "module", main: path.join(repoRoot, "functions", "index.ts") }));
  return dir;
}

export async function startSystemUnderTest(options: SystemUnderTestOptions = {}): Promise<SystemUnderTest> {
  const appDir = appFolder();
  const invocations: InvocationRecord[] = [];
  const waiters: { functionName: string; after: number; resolve: (r: InvocationRecord) => void }[] = [];
  const find = (functionName: string, after: number) => invocations.slice(after).find((r) => r.functionName === functionName);
  const system = await startLocalSystem({
    appDir,
    ports: { functions: 0, serviceBus: 0, emulatorHttp: 0, kafka: 0, blob: 0, queue: 0, table: 0 },
    ...(options.settings ? { extraSettings: options.settings } : {}),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    // SYSTEM_TEST_LOG_LEVEL=info shows the host's and the app's log while debugging a test.
    logLevel: (process.env.SYSTEM_TEST_LOG_LEVEL as LogLevel | undefined) ?? "silent",
    onInvocation: (r) => {
      invocations.push(r);
      for (const w of [...waiters]) {
        const match = find(w.functionName, w.after);
        if (match) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(match);
        }
      }
    },
  }).catch((err: unknown) => {
    rmSync(appDir, { recursive: true, force: true });
    throw err;
  });
  const tables: TableClient[] = [];
  return {
    system,
    url: system.host!.url,
    invocations,
    invocation(functionName, after = 0) {
      const already = find(functionName, after);
      if (already) return Promise.resolve(already);
      return new Promise((resolve) => waiters.push({ functionName, after, resolve }));
    },
    table(name) {
      const client = TableClient.fromConnectionString(system.azurite.connectionString, name, { allowInsecureConnection: true });
      tables.push(client);
      return client;
    },
    async advanceClock(ms) {
      const url = system.emulator.http.url;
      const headers = { "content-type": "application/json", ...emulatorAuthorizationHeader(url) };
      const body = JSON.stringify({ ms });
      const res = await fetch(`${url}/emulator/clock/advance`, { method: "POST", headers, body });
      if (res.status !== 200) throw new Error(`clock advance answered ${res.status}: ${await res.text()}`);
    },
    async close() {
      await system.close();
      rmSync(appDir, { recursive: true, force: true });
    },
  };
}

/** Polls `read` until `done` accepts its value (the system is asynchronous end to end); fails after `timeoutMs`. */
export async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
