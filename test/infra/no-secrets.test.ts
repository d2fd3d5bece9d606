/**
 * No secret in infra/ or in the compiled template: no key or connection string read (listKeys() and the other
 * list*() functions), written or passed on; no secure parameter or output; local (key/SAS) auth off on every resource
 * that has it, with one documented exception: Event Hubs allows SAS for the analytics Kafka trigger's listen-only
 * policy on its one event hub, whose key only the postprovision hook reads (into Key Vault).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "./code-settings.js";
import { type CompiledTemplate, compileTemplate, ofType, single, skipReason } from "./compiled-template.js";

function allFiles(folder: string, prefix = ""): string[] {
  return readdirSync(join(folder, prefix), { withFileTypes: true }).flatMap((e) => {
    const path = prefix ? `${prefix}/${e.name}` : e.name;
    return e.isDirectory() ? allFiles(folder, path) : [path];
  });
}

/** Text that only a secret (or code that handles one) would contain. */
const secretPatterns: [string, RegExp][] = [
  ["a storage account key", /AccountKey\s*=/i],
  ["a SAS key", /SharedAccessKey\s*=|SharedAccessSignature\s*=/i],
  ["a SAS token", /[?&]sig=[\w%]{20,}/i],
  ["a password", /password\s*[:=]\s*'[^']+'/i],
  // Long runs of letters alone are names (enableLogAccessUsingOnlyResourcePermissions); a key has digits or + and /.
  ["a base64 key", /['"](?=[A-Za-z0-9+/]*[0-9+/])[A-Za-z0-9+/]{40,}={0,2}['"]/],
  ["a short base64 key", /"key"\s*:\s*"[A-Za-z0-9+/]{16,}={0,2}"/i],
  ["a private key", /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ["a key read from a module's outputs", /outputs\.\w*(key|connectionstring|secret)\b/i],
];

/** Every string in a JSON value, with its path. */
function strings(value: unknown, path = "$"): [string, string][] {
  if (typeof value === "string") return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${path}[${i}]`));
  if (value && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => strings(v, `${path}.${k}`));
  return [];
}

/** Every template in the compiled JSON: main and each module's nested deployment. */
function templates(template: any): any[] {
  const resources = Array.isArray(template.resources) ? template.resources : Object.values(template.resources ?? {});
  const deployments = resources.filter((r: any) => r.type === "Microsoft.Resources/deployments");
  const nested = deployments.map((r: any) => r.properties.template);
  return [template, ...nested.flatMap(templates)];
}

describe("no secret in infra/ (the text)", () => {
  const files = ["azure.yaml", ...allFiles(join(repoRoot, "infra")).map((f) => `infra/${f}`)];

  it.each(files)("%s has no secret-looking value", (file) => {
    const text = readFileSync(join(repoRoot, file), "utf8");
    expect(secretPatterns.filter(([, pattern]) => pattern.test(text)).map(([what]) => what)).toEqual([]);
  });

  it("the patterns catch what they are for", () => {
    const samples = [
      "value: 'DefaultEndpointsProtocol=https;AccountName=x;AccountKey=abc'",
      "'Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=abc'",
      "url: 'https://x.blob.core.windows.net/c?sv=2024&sig=AbCdEfGhIjKlMnOpQrStUvWx%3D'",
      "administratorPassword: 'hunter2'",
      "key: 'bXVzaWNmZXN0LWxvY2FsLWV2ZW50cy1rZXktbG9uZ2VyLXRoYW4tNDA='",
      '"key": "bXVzaWNmZXN0LWxvY2FsLWV2ZW50cy1rZXk="',
      "setting: storage.outputs.primaryConnectionString",
    ];
    for (const sample of samples) expect(secretPatterns.some(([, p]) => p.test(sample)), sample).toBe(true);
  });
});

describe.skipIf(Boolean(skipReason))("no secret in the compiled template", () => {
  let t: CompiledTemplate;
  beforeAll(() => {
    t = compileTemplate();
  }, 120_000);

  it("has no secret-looking value, the emulators' local keys included", () => {
    expect(secretPatterns.filter(([, pattern]) => pattern.test(t.templateText)).map(([what]) => what)).toEqual([]);
  });

  it("reads no keys: no listKeys() or other list*() call in any template", () => {
    expect(t.templateText.match(/\blist\w*\(/gi) ?? []).toEqual([]);
  });

  it("has no secure parameter or output, and no output that names a key, secret or connection string", () => {
    for (const template of templates(t.template)) {
      const outputs = Object.entries(template.outputs ?? {}) as [string, any][];
      const declared = [...(Object.entries(template.parameters ?? {}) as [string, any][]), ...outputs];
      expect(declared.filter(([, d]) => /^secure/i.test(d.type ?? "")).map(([name]) => name)).toEqual([]);
      // The vault's name and the secret's name are names, not secrets.
      const secretish = (name: string) =>
        /key|connectionstring|secret|password/i.test(name) && !/KEY_VAULT|SECRET_NAME/.test(name);
      expect(outputs.map(([name]) => name).filter(secretish)).toEqual([]);
    }
  });

  it("the only connection string is Application Insights' (it names the resource; ingestion needs a token)", () => {
    const found = strings(t.resources).filter(([, v]) => /connectionstring|SharedAccessKey|AccountKey/i.test(v));
    const insights = /^\[reference\('[^']+\/Microsoft\.Insights\/components\/[^']+', '[\d-]+'\)\.ConnectionString\]$/;
    expect(found.map(([, value]) => value)).toEqual([expect.stringMatching(insights)]);
  });
});

describe.skipIf(Boolean(skipReason))("local authentication in the compiled template", () => {
  let t: CompiledTemplate;
  beforeAll(() => {
    t = compileTemplate();
  }, 120_000);

  it("Service Bus: SAS off", () => {
    expect(single(t.resources, "Microsoft.ServiceBus/namespaces").properties.disableLocalAuth).toBe(true);
  });

  it("Event Grid: every topic's keys and SAS off", () => {
    const topics = ofType(t.resources, "Microsoft.EventGrid/topics");
    expect(topics.length).toBeGreaterThan(0);
    for (const topic of topics) expect(topic.properties.disableLocalAuth, topic.name).toBe(true);
  });

  it("Storage: shared keys off, Entra ID by default, no public blobs", () => {
    const account = single(t.resources, "Microsoft.Storage/storageAccounts").properties;
    expect(account).toMatchObject({
      allowSharedKeyAccess: false,
      defaultToOAuthAuthentication: true,
      allowBlobPublicAccess: false,
      minimumTlsVersion: "TLS1_2",
    });
  });

  it("Application Insights and Log Analytics: keys off", () => {
    expect(single(t.resources, "Microsoft.Insights/components").properties.DisableLocalAuth).toBe(true);
    const workspace = single(t.resources, "Microsoft.OperationalInsights/workspaces");
    expect(workspace.properties.features.disableLocalAuth).toBe(true);
  });

  it("Key Vault: Azure RBAC only, no access policies", () => {
    const vault = single(t.resources, "Microsoft.KeyVault/vaults").properties;
    expect(vault.enableRbacAuthorization).toBe(true);
    expect(vault.accessPolicies ?? []).toEqual([]);
  });

  it("Event Hubs, the documented exception: SAS on, with one policy, Listen only, on the analytics event hub", () => {
    expect(single(t.resources, "Microsoft.EventHub/namespaces").properties.disableLocalAuth).toBe(false);
    expect(ofType(t.resources, "Microsoft.EventHub/namespaces/authorizationRules")).toEqual([]);
    const rules = ofType(t.resources, "Microsoft.EventHub/namespaces/eventhubs/authorizationRules");
    const policies = rules.map((r) => ({ eventHub: r.name.split("/")[1], rights: r.properties.rights }));
    expect(policies).toEqual([{ eventHub: "festival-events", rights: ["Listen"] }]);
    expect(ofType(t.resources, "Microsoft.ServiceBus/namespaces/authorizationRules")).toEqual([]);
  });

  it("the function app allows no basic (FTP/SCM) publishing credentials", () => {
    const policies = ofType(t.resources, "Microsoft.Web/sites/basicPublishingCredentialsPolicies");
    const allowed = policies.map((p) => [p.name.split("/").at(-1), p.properties.allow]).sort();
    expect(allowed).toEqual([["ftp", false], ["scm", false]]);
  });
});
