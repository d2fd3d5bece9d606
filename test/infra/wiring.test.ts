/**
 * infra/ against the code: every setting the code reads is set in the app's settings (or has a default in code,
 * which the test names), every connection has its identity-based form, and each connection's principal gets the
 * least-privilege data roles its use needs, on the resource it uses, and no more.
 */
import { join } from "node:path";
import type { Node } from "web-tree-sitter";
import { describe, expect, it } from "vitest";
import { loadAppSettings, settingNames } from "../../src/config.js";
import { descendants, modules, objectKeys, objectProperty, parseBicep, readText, resources, stringValue, variableValue } from "./bicep-syntax.js";
import { connectionSettings, identitySettingsOf, platformSettings, plainSettingList, repoRoot, settingsReadByName, triggerConnections, type ConnectionKind } from "./code-settings.js";

const infra = (path: string) => join(repoRoot, "infra", path);

/** The built-in role ids (Azure RBAC docs; the same in every tenant). */
const builtInRoles = {
  storageBlobDataOwner: "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
  storageTableDataContributor: "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
  serviceBusDataSender: "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39",
  serviceBusDataReceiver: "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0",
  eventHubsDataSender: "2b629674-e913-4c01-ae53-ef4638d8f975",
  eventHubsDataReceiver: "a638d3c7-ab3a-418d-83e6-5f17a39d4fde",
  eventGridDataSender: "d5a91429-5739-47e2-a06b-3470a27159e7",
  monitoringMetricsPublisher: "3913510d-42f4-4e42-8a64-420c390055eb",
} as const;
type RoleName = keyof typeof builtInRoles;

/** What each use of Azure needs: the resource type it is granted on and the least-privilege roles. */
const rolesNeeded: Record<ConnectionKind | "hostStorage" | "telemetry", { resourceType: string; roles: RoleName[]; why: string }> = {
  serviceBus: { resourceType: "Microsoft.ServiceBus/namespaces", roles: ["serviceBusDataSender", "serviceBusDataReceiver"], why: "the relay sends; triggers and the dead-letter tools receive" },
  eventHubs: { resourceType: "Microsoft.EventHub/namespaces", roles: ["eventHubsDataSender", "eventHubsDataReceiver"], why: "Kafka produce and consume" },
  eventGrid: { resourceType: "Microsoft.EventGrid/topics", roles: ["eventGridDataSender"], why: "publishing to the custom topic" },
  storage: { resourceType: "Microsoft.Storage/storageAccounts", roles: ["storageTableDataContributor"], why: "event store, outbox, inbox, read models" },
  hostStorage: { resourceType: "Microsoft.Storage/storageAccounts", roles: ["storageBlobDataOwner"], why: "AzureWebJobsStorage and the Flex deployment container" },
  telemetry: { resourceType: "Microsoft.Insights/components", roles: ["monitoringMetricsPublisher"], why: "Application Insights with local auth off" },
};

// Parsed at load time so that the test names can say which plain settings infra leaves to their code defaults.
const functionApp = await parseBicep(readText(infra("app/function-app.bicep")));
const appSettingsValue = variableValue(functionApp, "appSettings");
if (!appSettingsValue || appSettingsValue.type !== "object") throw new Error("infra/app/function-app.bicep has no `var appSettings = { ... }` object literal");
const appSettings: Node = appSettingsValue;
const appSettingKeys = objectKeys(appSettings);
const rbac = await parseBicep(readText(infra("app/rbac.bicep")));
const main = await parseBicep(readText(infra("main.bicep")));

describe("app settings: every setting the code reads", () => {
  it("finds the connections the triggers use, each one a connection src/config.ts knows the kind of", () => {
    const found = triggerConnections();
    expect(found.length).toBeGreaterThan(0);
    const known = new Set<string>(Object.values(settingNames));
    expect(found.filter((f) => !known.has(f.name)).map((f) => `${f.where}: connection "${f.name}" is not in src/config.ts settingNames`)).toEqual([]);
  });

  it.each(connectionSettings)("%s connection %s: identity-based settings, no connection string", (kind, name) => {
    const needed = identitySettingsOf[kind](name);
    expect(needed.filter((s) => !appSettingKeys.includes(s)).map((s) => `missing app setting ${s}`)).toEqual([]);
    // The connection-string form (the setting itself) is for the emulators only.
    expect(appSettingKeys).not.toContain(name);
    expect(stringValue(objectProperty(appSettings, `${name}__credential`)!)).toBe("managedidentity");
    expect(objectProperty(appSettings, `${name}__clientId`)?.text).toBe("identityClientId");
  });

  it("the Functions host's storage (AzureWebJobsStorage) is identity-based", () => {
    expect(appSettingKeys).toEqual(expect.arrayContaining(["AzureWebJobsStorage__blobServiceUri", "AzureWebJobsStorage__credential", "AzureWebJobsStorage__clientId"]));
    expect(appSettingKeys).not.toContain("AzureWebJobsStorage");
  });

  it.each(plainSettingList.map((s) => [s.name, appSettingKeys.includes(s.name) ? "set by infra/" : `not set by infra/: the code default ${JSON.stringify(s.default)} applies`] as const))(
    "plain setting %s: %s",
    (name) => {
      const literal = objectProperty(appSettings, name);
      // Left out, the default applies: it must be valid. Set to a literal, the literal must be valid.
      const env = literal ? { [name]: stringValue(literal) ?? "" } : {};
      expect(() => loadAppSettings(env)).not.toThrow();
    },
  );

  it("every other setting read by name is set, a plain setting, a connection, or set by the platform", () => {
    const plain = new Set(plainSettingList.map((s) => s.name));
    const connections = new Set<string>(Object.values(settingNames));
    const reads = settingsReadByName();
    expect(reads.length).toBeGreaterThan(0);
    const unexplained = reads.filter((f) => !appSettingKeys.includes(f.name) && !plain.has(f.name) && !connections.has(f.name) && !platformSettings.has(f.name));
    expect(unexplained.map((f) => `${f.where}: reads ${f.name}, which infra/ does not set`)).toEqual([]);
  });
});

interface Assignment {
  resourceType: string;
  role: string;
}

function assignments(root: Node): { assignments: Assignment[]; roleIds: Map<string, string> } {
  const rolesVar = variableValue(root, "roles");
  if (!rolesVar) throw new Error("infra/app/rbac.bicep has no `var roles = { ... }`");
  const roleIds = new Map(objectKeys(rolesVar).map((key) => [key, stringValue(objectProperty(rolesVar, key)!) ?? ""]));
  const declared = new Map(resources(root).map((r) => [r.symbol, r.type]));
  const found: Assignment[] = [];
  for (const resource of resources(root).filter((r) => r.type === "Microsoft.Authorization/roleAssignments")) {
    const loop = descendants(resource.body, "for_statement")[0];
    const body = loop ? loop.childForFieldName("body") : resource.body.namedChildren.find((c) => c?.type === "object");
    const scope = body && objectProperty(body, "scope");
    const resourceType = (scope && declared.get(scope.text)) ?? `unknown scope ${scope?.text}`;
    const roleRefs = loop ? (loop.namedChildren.find((c) => c?.type === "array")?.namedChildren ?? []) : [];
    for (const ref of roleRefs) if (ref) found.push({ resourceType, role: ref.text.replace(/^roles\./, "") });
  }
  return { assignments: found, roleIds };
}

describe("role assignments: least privilege for every connection", () => {
  it("rbac.bicep's role ids are the built-in roles' ids", () => {
    const { roleIds } = assignments(rbac);
    for (const [name, id] of roleIds) expect({ name, id }).toEqual({ name, id: builtInRoles[name as RoleName] });
  });

  it.each(Object.entries(rolesNeeded))("%s gets its roles on its resource", (_use, need) => {
    const { assignments: granted } = assignments(rbac);
    for (const role of need.roles) expect(granted, `${role} on ${need.resourceType} (${need.why})`).toContainEqual({ resourceType: need.resourceType, role });
  });

  it("grants nothing beyond what the uses need", () => {
    const allowed = new Set(Object.values(rolesNeeded).flatMap((need) => need.roles.map((role) => `${need.resourceType} ${role}`)));
    const { assignments: granted } = assignments(rbac);
    expect(granted.length).toBeGreaterThan(0);
    expect(granted.map((a) => `${a.resourceType} ${a.role}`).filter((a) => !allowed.has(a))).toEqual([]);
  });

  it("assigns them to the app's managed identity, and to the deploying user only when one is given", () => {
    const rbacModules = modules(main).filter((m) => m.path === "app/rbac.bicep");
    const principals = rbacModules.map((m) => descendants(m.body, "object_property").find((p) => p.namedChildren[0]?.text === "principalId")?.namedChildren[1]?.text);
    expect(principals).toContain("identity.outputs.principalId");
    const user = rbacModules.find((m) => m.body.text.includes("principalId: principalId"));
    expect(user?.body.text).toMatch(/= if \(!empty\(principalId\)\)/);
  });

  it("the app runs as that identity, and every identity setting names its client id", () => {
    const functionApp = readText(infra("app/function-app.bicep"));
    expect(functionApp).toMatch(/userAssignedResourceIds:\s*\[\s*identityId\s*\]/);
    expect(readText(infra("main.bicep"))).toMatch(/identityClientId: identity\.outputs\.clientId/);
    const clientIdSettings = appSettingKeys.filter((k) => k.endsWith("__clientId"));
    expect(clientIdSettings.length).toBe(connectionSettings.length + 1);
  });
});
