/**
 * azure.yaml against azd's documented schema (Azure/azure-dev schemas/v1.0/azure.yaml.json: the field names and the
 * allowed values of the fields this project uses; a hand-written check, the schema is not vendored), and the hooks
 * it runs, as far as they run without Azure: each with a fake `az` / `azd` on PATH that records its arguments.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { load as loadYaml } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "./code-settings.js";
import { type CompiledTemplate, compileTemplate, single, skipReason } from "./compiled-template.js";

const project = loadYaml(readFileSync(join(repoRoot, "azure.yaml"), "utf8")) as any;

/** From azure.yaml.json v1.0: the top-level properties, command-level hook names and a hook's fields and values. */
const schema = {
  topLevel: ["name", "resourceGroup", "metadata", "infra", "services", "resources", "pipeline", "hooks"]
    .concat(["requiredVersions", "state", "platform", "workflows", "cloud"]),
  namePattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
  infra: ["provider", "path", "module", "layers"],
  providers: ["bicep", "terraform"],
  service: ["apiVersion", "resourceGroup", "resourceName", "project", "image", "host", "language", "module", "dist"]
    .concat(["remoteBuild", "docker", "k8s", "config", "uses", "env", "hooks"]),
  hosts: ["appservice", "containerapp", "function", "springapp", "staticwebapp", "aks"],
  languages: ["dotnet", "csharp", "fsharp", "py", "python", "js", "ts", "java", "go", "golang", "docker"],
  // Not allowed on the traditional hosts (appservice, function, springapp, staticwebapp).
  notForFunctionHost: ["image", "docker", "k8s", "apiVersion", "env"],
  commandHooks: ["provision", "infracreate", "infradelete", "down", "up", "package", "publish", "deploy", "restore"]
    .flatMap((command) => [`pre${command}`, `post${command}`]),
  hook: ["shell", "kind", "dir", "run", "continueOnError", "interactive", "windows", "posix", "secrets", "config"],
  shells: ["sh", "pwsh"],
};

describe("azure.yaml against azd's schema", () => {
  it("uses only documented top-level fields, and a valid name", () => {
    expect(Object.keys(project).filter((k) => !schema.topLevel.includes(k))).toEqual([]);
    expect(project.name).toMatch(schema.namePattern);
  });

  it("provisions infra/main.bicep with the bicep provider", () => {
    expect(Object.keys(project.infra).filter((k) => !schema.infra.includes(k))).toEqual([]);
    expect(schema.providers).toContain(project.infra.provider);
    expect(project.infra.provider).toBe("bicep");
    expect(existsSync(join(repoRoot, project.infra.path, `${project.infra.module}.bicep`))).toBe(true);
  });

  it("deploys one service, the root package, as a function app built remotely", () => {
    const services = Object.entries(project.services) as [string, any][];
    expect(services.length).toBe(1);
    for (const [name, service] of services) {
      expect(Object.keys(service).filter((k) => !schema.service.includes(k)), name).toEqual([]);
      expect(schema.hosts).toContain(service.host);
      expect(schema.languages).toContain(service.language);
      expect(service).toMatchObject({ host: "function", language: "ts", remoteBuild: true });
      expect(Object.keys(service).filter((k) => schema.notForFunctionHost.includes(k))).toEqual([]);
      expect(existsSync(join(repoRoot, service.project, "package.json"))).toBe(true);
    }
  });

  const hooks = Object.entries(project.hooks ?? {}) as [string, any][];
  it.each(hooks)("hook %s: a documented command hook, one script per OS", (name, hook) => {
    expect(schema.commandHooks).toContain(name);
    // With both posix and windows given, the hook itself may set nothing else.
    expect(Object.keys(hook).sort()).toEqual(["posix", "windows"]);
    for (const os of ["posix", "windows"] as const) {
      const entry = hook[os];
      expect(Object.keys(entry).filter((k) => !schema.hook.includes(k)), `${name}.${os}`).toEqual([]);
      expect(schema.shells).toContain(entry.shell);
      expect(entry.shell).toBe(os === "posix" ? "sh" : "pwsh");
      expect(typeof entry.continueOnError).toBe("boolean");
      expect(typeof entry.interactive).toBe("boolean");
      const script = join(repoRoot, entry.run);
      expect(existsSync(script), entry.run).toBe(true);
      if (os === "posix") accessSync(script, constants.X_OK);
    }
  });
});

describe.skipIf(Boolean(skipReason))("azure.yaml and the compiled template agree", () => {
  let t: CompiledTemplate;
  beforeAll(() => {
    t = compileTemplate();
  }, 120_000);

  it("the function app carries the azd-service-name tag of the one service", () => {
    const site = single(t.resources, "Microsoft.Web/sites");
    expect(site.tags?.["azd-service-name"]).toBe(Object.keys(project.services)[0]);
  });

  it("main.parameters.json sets only parameters the template declares, and every required one", () => {
    const given = JSON.parse(readFileSync(join(repoRoot, "infra", "main.parameters.json"), "utf8")).parameters;
    const declared = t.template.parameters as Record<string, { defaultValue?: unknown }>;
    expect(Object.keys(given).filter((p) => !(p in declared))).toEqual([]);
    expect(Object.keys(declared).filter((p) => !("defaultValue" in declared[p]) && !(p in given))).toEqual([]);
  });

  it("the hooks' inputs are template outputs (azd puts them in the hooks' environment)", () => {
    const script = readFileSync(join(repoRoot, "infra", "hooks", "postprovision.sh"), "utf8");
    const used = script.match(/\b(AZURE_[A-Z_]+|EVENT_HUBS_[A-Z_]+|ANALYTICS_[A-Z_]+)\b/g) ?? [];
    expect(new Set(used).size).toBeGreaterThan(0);
    for (const name of new Set(used)) expect(Object.keys(t.outputs), name).toContain(name);
  });
});

// ---- The hooks, run for real with stand-ins for the az and azd CLIs. ----

const scratch: string[] = [];
afterAll(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A folder with fake CLIs that append their arguments to calls.log: one line per call, arguments ended by \x1f. */
interface FakeBehaviour {
  /** az fails (exit 3) when its arguments contain this. */
  azFailsOn?: string;
  /** What `azd env get-value` prints; absent: the key is not set (exit 1). */
  azdValue?: string;
  /** `azd provision` fails. */
  azdFails?: boolean;
}

/** The connection string the fake az hands out: obviously not a real key. */
const fakeConnection =
  "Endpoint=sb://fake.servicebus.windows.net/;SharedAccessKeyName=analytics-listen;" +
  "SharedAccessKey=not-a-real-key;EntityPath=festival-events";

function fakeClis(behaviour: FakeBehaviour = {}): { bin: string; calls: () => string[][]; stdin: () => string } {
  const bin = mkdtempSync(join(tmpdir(), "azd-hooks-"));
  scratch.push(bin);
  const log = join(bin, "calls.log");
  const record = `printf '%s\\037' "$@" >> "${log}"; printf '\\n' >> "${log}"`;
  writeFileSync(
    join(bin, "az"),
    `#!/bin/sh
${record}
case "$*" in
  *"${behaviour.azFailsOn ?? "never matches"}"*) echo "ERROR: simulated failure" >&2; exit 3 ;;
  "eventhubs eventhub authorization-rule keys list"*) echo "${fakeConnection}" ;;
  "keyvault secret set"*) cat > "${join(bin, "stdin.txt")}" ;;
esac
`,
    { mode: 0o755 },
  );
  const notFound = 'echo "ERROR: not found" >&2; exit 1';
  const getValue = behaviour.azdValue === undefined ? notFound : `echo "${behaviour.azdValue}"`;
  writeFileSync(
    join(bin, "azd"),
    `#!/bin/sh
${record}
case "$*" in
  "env get-value"*) ${getValue} ;;
  "provision"*) ${behaviour.azdFails ? 'echo "ERROR: deployment failed" >&2; exit 1' : "echo provisioned"} ;;
esac
`,
    { mode: 0o755 },
  );
  const calls = () =>
    existsSync(log)
      ? readFileSync(log, "utf8").trimEnd().split("\n").map((line) => line.split("\x1f").slice(0, -1))
      : [];
  return { bin, calls, stdin: () => readFileSync(join(bin, "stdin.txt"), "utf8") };
}

const hookEnv = {
  AZURE_RESOURCE_GROUP: "rg-dev",
  EVENT_HUBS_NAMESPACE_NAME: "evhns-abc",
  ANALYTICS_EVENT_HUB_NAME: "festival-events",
  ANALYTICS_LISTEN_RULE_NAME: "analytics-listen",
  AZURE_KEY_VAULT_NAME: "kv-abc",
  ANALYTICS_KAFKA_SECRET_NAME: "analytics-kafka-connection",
};

function runHook(script: string, bin: string, env: Record<string, string>) {
  // Only the fakes and the basic tools: a real az or azd on this machine must not be reached.
  const result = spawnSync("/bin/sh", [join(repoRoot, "infra", "hooks", script)], {
    encoding: "utf8",
    env: { PATH: `${bin}:/usr/bin:/bin`, ...env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("postprovision hook (copies the listen-only key into Key Vault)", () => {
  it("reads the policy's connection string, writes it to the vault's secret through stdin, never an argument", () => {
    const fake = fakeClis();
    const run = runHook("postprovision.sh", fake.bin, hookEnv);
    expect(run.status, run.stderr).toBe(0);
    const [read, write] = fake.calls();
    expect(read).toEqual([
      ...["eventhubs", "eventhub", "authorization-rule", "keys", "list", "--resource-group", "rg-dev"],
      ...["--namespace-name", "evhns-abc", "--eventhub-name", "festival-events", "--name", "analytics-listen"],
      ...["--query", "primaryConnectionString", "--output", "tsv"],
    ]);
    expect(write.slice(0, 9)).toEqual([
      ...["keyvault", "secret", "set", "--vault-name", "kv-abc", "--name", "analytics-kafka-connection"],
      ...["--file", "/dev/stdin"],
    ]);
    expect(fake.calls().flat().join(" ")).not.toContain("SharedAccessKey=");
    expect(fake.stdin()).toBe(fakeConnection);
    expect(run.stdout + run.stderr).not.toContain("not-a-real-key");
  });

  it("outside azd (outputs not in the environment) it names what is missing and calls nothing", () => {
    const fake = fakeClis();
    const run = runHook("postprovision.sh", fake.bin, { AZURE_RESOURCE_GROUP: "rg-dev" });
    expect(run.status).toBe(1);
    const missing = Object.keys(hookEnv).filter((name) => name !== "AZURE_RESOURCE_GROUP");
    expect(run.stderr).toContain(`not set: ${missing.join(" ")}.`);
    expect(fake.calls()).toEqual([]);
  });

  it("without the Azure CLI it says how to install it and fails", () => {
    const empty = mkdtempSync(join(tmpdir(), "azd-hooks-"));
    scratch.push(empty);
    const script = join(repoRoot, "infra", "hooks", "postprovision.sh");
    const result = spawnSync("/bin/sh", [script], { encoding: "utf8", env: { PATH: empty, ...hookEnv } });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("the Azure CLI (az) is needed");
    expect(result.stderr).toContain("https://aka.ms/installazurecli");
  });

  it("when the key cannot be read it says why it may be and writes nothing", () => {
    const fake = fakeClis({ azFailsOn: "authorization-rule keys list" });
    const run = runHook("postprovision.sh", fake.bin, hookEnv);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("could not read the keys of analytics-listen");
    expect(fake.calls().length).toBe(1);
  });

  it("when the vault refuses the write it names the role the user needs", () => {
    const fake = fakeClis({ azFailsOn: "keyvault secret set" });
    const run = runHook("postprovision.sh", fake.bin, hookEnv);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("Key Vault Secrets Officer");
  });
});

describe("postdeploy hook (Event Grid subscriptions once the functions exist)", () => {
  it("on the first deploy, turns the subscriptions on and provisions again", () => {
    const fake = fakeClis();
    const run = runHook("postdeploy.sh", fake.bin, {});
    expect(run.status, run.stderr).toBe(0);
    expect(fake.calls()).toEqual([
      ["env", "get-value", "EVENTGRID_SUBSCRIPTIONS_ENABLED"],
      ["env", "set", "EVENTGRID_SUBSCRIPTIONS_ENABLED", "true"],
      ["provision", "--no-prompt"],
    ]);
  });

  it("later, with the subscriptions on, does nothing", () => {
    const fake = fakeClis({ azdValue: "true" });
    const run = runHook("postdeploy.sh", fake.bin, {});
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("provisioned with the infrastructure");
    expect(fake.calls()).toEqual([["env", "get-value", "EVENTGRID_SUBSCRIPTIONS_ENABLED"]]);
  });

  it("fails azd when the second provision fails", () => {
    const fake = fakeClis({ azdFails: true });
    const run = runHook("postdeploy.sh", fake.bin, {});
    expect(run.status).not.toBe(0);
  });
});
