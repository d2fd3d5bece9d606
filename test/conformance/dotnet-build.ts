/**
 * Restores and builds the .NET conformance app once per run into the gitignored .conformance-cache/, so the second
 * run only pays an up-to-date check. Bounded like the clients: a stuck restore fails the .NET columns, not the run.
 */
import { join } from "node:path";
import { lastLine, runChild } from "./child.js";
import { conformanceDir } from "./clients.js";

export type DotnetBuild = { ok: true; dll: string } | { ok: false; error: string };

export async function buildDotnet(env: NodeJS.ProcessEnv): Promise<DotnetBuild> {
  const project = join(conformanceDir, "dotnet");
  const out = join(conformanceDir, "..", "..", ".conformance-cache", "dotnet", "out");
  const started = performance.now();
  const args = ["build", project, "-c", "Release", "-o", out, "-nologo", "-v", "q", "-clp:ErrorsOnly"];
  const result = await runChild("dotnet", args, { env, timeoutMs: 240_000 });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stderr.write(`conformance: dotnet build finished in ${seconds} s\n`);
  if (result.code === 0) return { ok: true, dll: join(out, "Conformance.dll") };
  const error = result.timedOut ? "timed out after 240 s" : lastLine(result.stdout) || lastLine(result.stderr);
  return { ok: false, error };
}
