/**
 * Starts the local Functions host on the fixture app, on a free port. `local.settings.json` is git-ignored, so it
 * is (re)written from the committed example first, as a developer's first start would create it.
 */
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startFunctionsHost, type FunctionsHost, type FunctionsHostOptions, type InvocationRecord } from "../../../emulator/functions-host/index.js";

export const fixtureAppDir = fileURLToPath(new URL("../../fixtures/functions-app/", import.meta.url));

function ensureLocalSettings(): void {
  const example = readFileSync(`${fixtureAppDir}local.settings.example.json`, "utf8");
  const target = `${fixtureAppDir}local.settings.json`;
  if (!existsSync(target) || readFileSync(target, "utf8") !== example) writeFileSync(target, example);
}

export interface FixtureHost extends FunctionsHost {
  /** Every invocation record so far. */
  readonly invocations: InvocationRecord[];
  /** Resolves with the next invocation record of `functionName` (counting from the call, or from `after` records). */
  nextInvocation(functionName: string, after?: number): Promise<InvocationRecord>;
}

export async function startFixtureHost(options: Partial<FunctionsHostOptions> = {}): Promise<FixtureHost> {
  ensureLocalSettings();
  const invocations: InvocationRecord[] = [];
  const waiters: { functionName: string; after: number; resolve: (r: InvocationRecord) => void }[] = [];
  const host = await startFunctionsHost({
    appDir: fixtureAppDir,
    port: 0,
    ...options,
    onInvocation: (r) => {
      invocations.push(r);
      for (const w of [...waiters]) {
        const match = invocations.slice(w.after).find((x) => x.functionName === w.functionName);
        if (match) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(match);
        }
      }
    },
  });
  return Object.assign(host, {
    invocations,
    nextInvocation(functionName: string, after = invocations.length) {
      const already = invocations.slice(after).find((x) => x.functionName === functionName);
      if (already) return Promise.resolve(already);
      return new Promise<InvocationRecord>((resolve) => waiters.push({ functionName, after, resolve }));
    },
  });
}
