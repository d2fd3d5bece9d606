/**
 * One topology: every file infra/ loads or references exists and parses, the emulator configs are the files it
 * loads (not copies), and the entities the code names (src/config.ts topology) are the ones infra creates.
 */
import { existsSync, readdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { parse as parseJsonc, type ParseError, printParseErrorCode } from "jsonc-parser";
import { describe, expect, it } from "vitest";
import { topology } from "../../src/config.js";
import { bicepFiles, calls, modules, parseBicep, readText, stringValue, variableValue } from "./bicep-syntax.js";
import { repoRoot } from "./code-settings.js";

const infraDir = join(repoRoot, "infra");
const parsed = await Promise.all(bicepFiles(infraDir).map(async (file) => ({ file, root: await parseBicep(readText(join(infraDir, file))) })));

const loadFunctions = ["loadJsonContent", "loadTextContent", "loadYamlContent", "loadFileAsBase64"];
const loaded = parsed.flatMap(({ file, root }) =>
  loadFunctions.flatMap((fn) =>
    calls(root, fn).map((call) => {
      const arg = call.args[0];
      const path = arg ? stringValue(arg) : undefined;
      return { file, fn, path, resolved: path ? relative(repoRoot, join(infraDir, dirname(file), path)) : undefined };
    }),
  ),
);

function parseJsonWithComments(path: string): { value: unknown; errors: string[] } {
  const errors: ParseError[] = [];
  // Bicep's loadJsonContent skips // and /* */ comments (Azure/bicep#9222), as jsonc-parser does.
  const value: unknown = parseJsonc(readText(join(repoRoot, path)), errors, { allowTrailingComma: false, disallowComments: false });
  return { value, errors: errors.map((e) => `${path}@${e.offset}: ${printParseErrorCode(e.error)}`) };
}

function config(path: string): any {
  const { value, errors } = parseJsonWithComments(path);
  if (errors.length) throw new Error(errors.join("; "));
  return value;
}

describe("files infra/ loads", () => {
  it("loads each emulator config file, so Azure gets the topology the emulators run", () => {
    const files = new Set(loaded.map((l) => l.resolved));
    for (const path of ["emulator/config/servicebus.json", "emulator/config/eventhubs.json", "emulator/config/eventgrid.json"]) expect(files).toContain(path);
  });

  it.each(loaded.map((l) => [`${l.file}: ${l.fn}('${l.path}')`, l] as const))("%s exists and parses", (_name, l) => {
    expect(l.path, "the path must be a plain string literal").toBeDefined();
    expect(existsSync(join(repoRoot, l.resolved!)), `${l.resolved} exists`).toBe(true);
    if (l.fn === "loadJsonContent") expect(parseJsonWithComments(l.resolved!).errors).toEqual([]);
  });

  it("every local module exists, and every registry module is an Azure Verified Module at a pinned version", () => {
    const refs = parsed.flatMap(({ file, root }) => modules(root).map((m) => ({ file, path: m.path })));
    expect(refs.length).toBeGreaterThan(0);
    for (const { file, path } of refs) {
      if (path.startsWith("br/") || path.startsWith("br:")) expect(path, `${file}`).toMatch(/^br\/public:avm\/res\/[a-z0-9-]+\/[a-z0-9-]+:\d+\.\d+\.\d+$/);
      else expect(existsSync(join(infraDir, dirname(file), path)), `${file} -> ${path}`).toBe(true);
    }
  });

  it("main.parameters.json parses and sets only parameters main.bicep declares", async () => {
    const { value, errors } = parseJsonWithComments("infra/main.parameters.json");
    expect(errors).toEqual([]);
    const main = readText(join(infraDir, "main.bicep"));
    for (const name of Object.keys((value as { parameters: Record<string, unknown> }).parameters)) expect(main).toMatch(new RegExp(`^param ${name} `, "m"));
  });

  it("azure.yaml deploys the root package as a function app and its hook scripts exist", () => {
    const yaml = readText(join(repoRoot, "azure.yaml"));
    expect(yaml).toMatch(/host: function/);
    expect(yaml).toMatch(/language: ts/);
    for (const [, script] of yaml.matchAll(/run: \.\/(\S+)/g)) expect(existsSync(join(repoRoot, script!)), script).toBe(true);
  });
});

describe("entities the code names are the ones infra creates", () => {
  const serviceBus = config("emulator/config/servicebus.json");
  const eventHubs = config("emulator/config/eventhubs.json");
  const eventGrid = config("emulator/config/eventgrid.json");

  it.each(Object.values(topology.topics))("Service Bus topic %s is in servicebus.json", (topic) => {
    expect(serviceBus.UserConfig.Namespaces[0].Topics.map((t: { Name: string }) => t.Name)).toContain(topic);
  });

  it("the event hub is in eventhubs.json", () => {
    expect(eventHubs.UserConfig.NamespaceConfig[0].Entities.map((e: { Name: string }) => e.Name)).toContain(topology.eventHub);
  });

  it("the Event Grid topic is in eventgrid.json and is the one main.bicep wires to MusicFestEvents", () => {
    expect(eventGrid.topics.map((t: { name: string }) => t.name)).toContain(topology.eventGridTopic);
    expect(readText(join(infraDir, "main.bicep"))).toContain(`param eventGridTopicName string = '${topology.eventGridTopic}'`);
  });

  it("every AzureFunction destination in eventgrid.json names a function the app registers", () => {
    const sources = readdirSync(join(repoRoot, "functions")).filter((f) => f.endsWith(".ts")).map((f) => readText(join(repoRoot, "functions", f)));
    const registered = new Set(sources.flatMap((text) => [...text.matchAll(/app\.eventGrid\(\s*["'`]([^"'`]+)["'`]/g)].map((m) => m[1])));
    const destinations = eventGrid.topics.flatMap((t: any) => (t.eventSubscriptions ?? []).map((s: any) => s.properties.destination)).filter((d: any) => d.endpointType === "AzureFunction");
    expect(destinations.length).toBeGreaterThan(0);
    for (const d of destinations) expect(registered).toContain(String(d.properties.resourceId).split("/").at(-1));
  });

  it("every table of src/config.ts topology.tables is created", async () => {
    const storage = parsed.find((p) => p.file === "app/storage.bicep")!.root;
    const tables = variableValue(storage, "tables")?.namedChildren.map((n) => (n ? stringValue(n) : undefined)) ?? [];
    expect(tables).toEqual(expect.arrayContaining(Object.values(topology.tables)));
  });
});
