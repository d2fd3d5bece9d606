/**
 * No secret in infra/: no key or connection string read (listKeys and friends), written or passed on; no secure
 * parameter or output (nothing secret goes in or out); local (key/SAS) auth off on every resource that has it.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bicepFiles, calls, descendants, modules, objectProperty, parseBicep, readText, resources } from "./bicep-syntax.js";
import { repoRoot } from "./code-settings.js";

const infraDir = join(repoRoot, "infra");
const parsed = await Promise.all(bicepFiles(infraDir).map(async (file) => ({ file, text: readText(join(infraDir, file)), root: await parseBicep(readText(join(infraDir, file))) })));

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
  ["a base64 key", /['"][A-Za-z0-9+/]{40,}={0,2}['"]/],
  ["a private key", /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ["a key read from a module's outputs", /outputs\.\w*(key|connectionstring|secret)\b/i],
];

/**
 * The one known value with "connection string" in its name: Application Insights' connection string names the
 * resource (its instrumentation key is an identifier, not a credential) and, with local auth off, cannot ingest
 * without the Entra token APPLICATIONINSIGHTS_AUTHENTICATION_STRING asks for.
 */
const allowedConnectionStrings = ["APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString"];

describe("no secrets in infra/", () => {
  const files = ["azure.yaml", ...allFiles(infraDir).map((f) => `infra/${f}`)];

  it.each(files)("%s has no secret-looking value", (file) => {
    const text = readText(join(repoRoot, file));
    const hits = secretPatterns.filter(([, pattern]) => pattern.test(text)).map(([what]) => what);
    expect(hits).toEqual([]);
  });

  it("the patterns catch what they are for", () => {
    const samples = [
      "value: 'DefaultEndpointsProtocol=https;AccountName=x;AccountKey=abc'",
      "'Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=abc'",
      "url: 'https://x.blob.core.windows.net/c?sv=2024&sig=AbCdEfGhIjKlMnOpQrStUvWx%3D'",
      "administratorPassword: 'hunter2'",
      "key: 'bXVzaWNmZXN0LWxvY2FsLWV2ZW50cy1rZXktbG9uZ2VyLXRoYW4tNDA='",
      "setting: storage.outputs.primaryConnectionString",
    ];
    for (const sample of samples) expect(secretPatterns.some(([, p]) => p.test(sample)), sample).toBe(true);
  });

  it.each(parsed.map((p) => [p.file, p] as const))("%s reads no keys (no list*() call)", (_file, { root }) => {
    const listCalls = calls(root).filter((c) => /^list/i.test(c.name));
    expect(listCalls.map((c) => c.node.text)).toEqual([]);
  });

  it.each(parsed.map((p) => [p.file, p] as const))("%s has no secure parameter or output and no connection string in its outputs", (_file, { text }) => {
    expect(text).not.toMatch(/@secure\(\)/);
    expect(text.split("\n").filter((line) => /^output /.test(line) && /key|connectionstring|secret|password/i.test(line))).toEqual([]);
    const connectionStrings = text.split("\n").filter((line) => /connectionstring/i.test(line) && !line.trim().startsWith("//"));
    expect(connectionStrings.map((l) => l.trim()).filter((l) => !allowedConnectionStrings.includes(l))).toEqual([]);
  });
});

describe("local authentication is off", () => {
  const withLocalAuth = ["Microsoft.ServiceBus/namespaces", "Microsoft.EventHub/namespaces", "Microsoft.EventGrid/topics"];

  it.each(withLocalAuth)("every %s created sets disableLocalAuth: true", (type) => {
    const created = parsed.flatMap(({ file, root }) => resources(root).filter((r) => r.type === type && !r.existing).map((r) => ({ file, r })));
    expect(created.length).toBeGreaterThan(0);
    for (const { file, r } of created) {
      const properties = descendants(r.body, "object_property").find((p) => p.namedChildren[0]?.text === "properties")?.namedChildren[1];
      expect(properties && objectProperty(properties, "disableLocalAuth")?.text, `${file}: ${r.symbol}`).toBe("true");
    }
  });

  it("Application Insights disables local auth and storage disables shared keys (AVM modules)", () => {
    const moduleParams = (path: string) =>
      parsed.flatMap(({ root }) => modules(root).filter((m) => m.path.startsWith(path))).map((m) => descendants(m.body, "object_property").find((p) => p.namedChildren[0]?.text === "params")?.namedChildren[1]);
    const insights = moduleParams("br/public:avm/res/insights/component:");
    const storage = moduleParams("br/public:avm/res/storage/storage-account:");
    expect(insights.length).toBe(1);
    expect(storage.length).toBe(1);
    expect(objectProperty(insights[0]!, "disableLocalAuth")?.text).toBe("true");
    expect(objectProperty(storage[0]!, "allowSharedKeyAccess")?.text).toBe("false");
  });

  it("the function app allows no basic (FTP/SCM) publishing credentials", () => {
    const text = parsed.find((p) => p.file === "app/function-app.bicep")!.text;
    expect(text).toMatch(/name: 'ftp'\s+allow: false/);
    expect(text).toMatch(/name: 'scm'\s+allow: false/);
  });
});
