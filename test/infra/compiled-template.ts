/**
 * The template the contract tests check: infra/main.bicep compiled by the real Bicep CLI (scripts/bicep-cli.ts) to
 * ARM JSON, and expanded by `bicep snapshot` (the ARM template engine, offline) into the resources a deployment
 * would create, with every loop, module, condition and expression that does not need a live resource evaluated.
 * Compiled once per change of infra/ or topology/: the result is cached under .cache/bicep/contract/<hash>,
 * so the test files share one compile. Without `dotnet` the tests skip with the reason; in CI (env CI) they fail.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { ensureBicep, repoRoot, runBicep } from "../../scripts/bicep-cli.js";

/** The deployment the snapshot plays: fixed ids, so names derived from them (uniqueString) are stable. */
export const deployment = {
  subscriptionId: "00000000-0000-0000-0000-000000000001",
  tenantId: "00000000-0000-0000-0000-000000000002",
  location: "swedencentral",
  environmentName: "contract",
  /** The deploying user (azd's AZURE_PRINCIPAL_ID). */
  principalId: "00000000-0000-0000-0000-0000000000aa",
};

export interface PredictedResource {
  id: string;
  type: string;
  name: string;
  apiVersion: string;
  location?: string;
  kind?: string;
  tags?: Record<string, string>;
  sku?: Record<string, unknown>;
  identity?: { type: string; userAssignedIdentities?: Record<string, unknown> };
  properties?: any;
}

export interface CompiledTemplate {
  /** `bicep build` output: the ARM JSON a deployment submits (modules are nested deployments inside it). */
  template: any;
  templateText: string;
  /** `bicep snapshot` output: every resource the deployment would create, Event Grid subscriptions included. */
  resources: PredictedResource[];
  outputs: Record<string, unknown>;
}

/** Skips (locally) or fails (CI) with this when the CLI cannot be had. */
export const cli = ensureBicep();
export const skipReason = cli.ok ? undefined : `the Bicep CLI is not available here: ${cli.reason}`;
if (!cli.ok && process.env.CI) throw new Error(`CI must compile infra/: ${cli.reason}`);

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(folder, e.name)) : [join(folder, e.name)],
  );
}

/** A hash of everything the compile reads: a changed input compiles again, an unchanged one reuses the cache. */
function inputsHash(paramText: string): string {
  const hash = createHash("sha256").update(paramText);
  const inputs = [...filesUnder(join(repoRoot, "infra")), ...filesUnder(join(repoRoot, "topology"))];
  for (const file of inputs.sort()) hash.update(relative(repoRoot, file)).update(readFileSync(file));
  return hash.digest("hex").slice(0, 16);
}

let compiled: CompiledTemplate | undefined;

/** Compiles and expands infra/main.bicep (or reads the cached result). Throws with the CLI's diagnostics. */
export function compileTemplate(): CompiledTemplate {
  if (compiled) return compiled;
  if (!cli.ok) throw new Error(skipReason);
  const contractRoot = join(repoRoot, ".cache", "bicep", "contract");
  const paramFor = (dir: string) =>
    [
      `using '${relative(dir, join(repoRoot, "infra", "main.bicep")).split("\\").join("/")}'`,
      `param environmentName = '${deployment.environmentName}'`,
      `param location = '${deployment.location}'`,
      `param principalId = '${deployment.principalId}'`,
      // Both phases at once: the postdeploy hook's second provision adds the Event Grid subscriptions.
      "param eventGridSubscriptionsEnabled = true",
      "",
    ].join("\n");
  const target = join(contractRoot, inputsHash(paramFor(join(contractRoot, "x"))));
  if (!existsSync(join(target, "main.snapshot.json"))) {
    const work = `${target}.${process.pid}`;
    mkdirSync(work, { recursive: true });
    writeFileSync(join(work, "main.bicepparam"), paramFor(work));
    const main = join(repoRoot, "infra", "main.bicep");
    const build = runBicep(cli.path, ["build", main, "--outfile", join(work, "main.json")]);
    if (build.status !== 0) throw new Error(`bicep build failed:\n${build.stdout}${build.stderr}`);
    const snapshot = runBicep(cli.path, [
      "snapshot", join(work, "main.bicepparam"),
      "--subscription-id", deployment.subscriptionId,
      "--tenant-id", deployment.tenantId,
      "--location", deployment.location,
      "--deployment-name", "contract",
    ]);
    if (snapshot.status !== 0 || !existsSync(join(work, "main.snapshot.json"))) {
      throw new Error(`bicep snapshot failed:\n${snapshot.stdout}${snapshot.stderr}`);
    }
    try {
      renameSync(work, target);
    } catch {
      // Another test file finished the same compile first: its result is the same.
      rmSync(work, { recursive: true, force: true });
    }
  }
  const templateText = readFileSync(join(target, "main.json"), "utf8");
  const snapshot = JSON.parse(readFileSync(join(target, "main.snapshot.json"), "utf8"));
  if (snapshot.diagnostics?.length) {
    throw new Error(`bicep snapshot diagnostics: ${JSON.stringify(snapshot.diagnostics)}`);
  }
  const template = JSON.parse(templateText);
  compiled = { template, templateText, resources: snapshot.predictedResources, outputs: snapshot.outputs };
  return compiled;
}

/** The resources of one type. */
export function ofType(resources: PredictedResource[], type: string): PredictedResource[] {
  return resources.filter((r) => r.type.toLowerCase() === type.toLowerCase());
}

/** The one resource of a type (the template creates one of each of these). */
export function single(resources: PredictedResource[], type: string): PredictedResource {
  const found = ofType(resources, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0];
}

/** The last segment of a resource name (`ns/topic/sub` -> `sub`). */
export const leaf = (r: PredictedResource) => r.name.split("/").at(-1)!;
