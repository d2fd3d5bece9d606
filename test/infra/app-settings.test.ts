/**
 * The deployed Functions app, read from the compiled template (test/infra/compiled-template.ts): it runs Node.js 22 on
 * Flex Consumption, every setting the code reads is set (or has a default in code, which the test names), each
 * connection is identity-based, and the analytics Kafka trigger reads its listen-only connection string from Key
 * Vault with the app's identity.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadAppSettings, settingNames, topology } from "../../src/config.js";
import {
  connectionSettings,
  identitySettingsOf,
  platformSettings,
  plainSettingList,
  repoRoot,
  settingsReadByName,
  triggerConnections,
} from "./code-settings.js";
import { type CompiledTemplate, compileTemplate, single, skipReason } from "./compiled-template.js";

if (skipReason) console.warn(`test/infra skipped: ${skipReason}`);

/** A template value that reads a property of a resource created by the same deployment: known only when deployed. */
const referenceTo = (resource: { id: string }, property: string) =>
  new RegExp(`^\\[reference\\('${resource.id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}', '[\\d-]+'\\)\\.${property}\\]$`);

describe.skipIf(Boolean(skipReason))("the Functions app in the compiled template", () => {
  let t: CompiledTemplate;
  let settings: Record<string, string>;
  beforeAll(() => {
    t = compileTemplate();
    settings = single(t.resources, "Microsoft.Web/sites/config").properties;
  }, 120_000);
  const identity = () => single(t.resources, "Microsoft.ManagedIdentity/userAssignedIdentities");

  describe("runtime", () => {
    it("runs Node.js 22 on a Flex Consumption (FC1, Linux) plan", () => {
      const site = single(t.resources, "Microsoft.Web/sites");
      const plan = single(t.resources, "Microsoft.Web/serverfarms");
      expect(site.kind).toBe("functionapp,linux");
      expect(site.properties.functionAppConfig.runtime).toEqual({ name: "node", version: "22" });
      expect(site.properties.serverFarmId).toBe(plan.id);
      expect(plan.sku).toEqual({ name: "FC1", tier: "FlexConsumption" });
      expect(plan.properties.reserved).toBe(true);
    });

    it("package.json's engines admit Node.js 22, the runtime Azure runs", () => {
      const engines = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")).engines.node as string;
      expect(engines).toMatch(/>=\s*22|\^22/);
    });

    it("sets none of the settings Flex Consumption rejects (the runtime and version live in functionAppConfig)", () => {
      const rejected = [
        "FUNCTIONS_WORKER_RUNTIME",
        "FUNCTIONS_EXTENSION_VERSION",
        "WEBSITE_NODE_DEFAULT_VERSION",
        "WEBSITE_RUN_FROM_PACKAGE",
      ];
      for (const name of rejected) expect(Object.keys(settings)).not.toContain(name);
    });

    it("runs as the user-assigned identity, deploys its package with it, resolves Key Vault references with it", () => {
      const site = single(t.resources, "Microsoft.Web/sites");
      expect(site.identity).toEqual({ type: "UserAssigned", userAssignedIdentities: { [identity().id]: {} } });
      expect(site.properties.functionAppConfig.deployment.storage.authentication).toEqual({
        type: "UserAssignedIdentity",
        userAssignedIdentityResourceId: identity().id,
      });
      expect(site.properties.keyVaultReferenceIdentity).toBe(identity().id);
    });
  });

  describe("every setting the code reads", () => {
    it("finds the connections the triggers use, each one a connection src/config.ts knows the kind of", () => {
      const found = triggerConnections();
      expect(found.length).toBeGreaterThan(0);
      const known = new Set<string>(Object.values(settingNames));
      const unknown = found.filter((f) => !known.has(f.name));
      expect(unknown.map((f) => `${f.where}: connection "${f.name}" is not in src/config.ts settingNames`)).toEqual([]);
    });

    it.each(connectionSettings)("%s connection %s: identity-based with the app's client id, no key", (kind, name) => {
      for (const setting of identitySettingsOf[kind](name)) expect(Object.keys(settings), setting).toContain(setting);
      // The connection-string form (the setting itself) is for the emulators only.
      expect(Object.keys(settings)).not.toContain(name);
      expect(settings[`${name}__credential`]).toBe("managedidentity");
      expect(settings[`${name}__clientId`]).toMatch(referenceTo(identity(), "clientId"));
    });

    it("the Functions host's storage (AzureWebJobsStorage) is identity-based", () => {
      expect(settings.AzureWebJobsStorage__credential).toBe("managedidentity");
      expect(settings.AzureWebJobsStorage__clientId).toMatch(referenceTo(identity(), "clientId"));
      const account = single(t.resources, "Microsoft.Storage/storageAccounts");
      expect(settings.AzureWebJobsStorage__blobServiceUri).toMatch(referenceTo(account, "primaryEndpoints.blob"));
      expect(Object.keys(settings)).not.toContain("AzureWebJobsStorage");
    });

    it("plain settings: each one set is valid, the rest take their code defaults", () => {
      const plain = plainSettingList.map((s) => s.name);
      const literal = plain.filter((n) => n in settings && !settings[n].startsWith("["));
      const setHere = Object.fromEntries(literal.map((n) => [n, settings[n]]));
      expect(() => loadAppSettings(setHere)).not.toThrow();
    });

    it("every other setting read by name is set, a plain setting, a connection, or set by the platform", () => {
      const plain = new Set(plainSettingList.map((s) => s.name));
      const connections = new Set<string>(Object.values(settingNames));
      const reads = settingsReadByName();
      expect(reads.length).toBeGreaterThan(0);
      const explained = (name: string) =>
        name in settings || plain.has(name) || connections.has(name) || platformSettings.has(name);
      const unexplained = reads.filter((f) => !explained(f.name));
      expect(unexplained.map((f) => `${f.where}: reads ${f.name}, which infra/ does not set`)).toEqual([]);
    });

    it("telemetry goes to Application Insights with an Entra token for the app's identity", () => {
      const insights = single(t.resources, "Microsoft.Insights/components");
      expect(settings.APPLICATIONINSIGHTS_CONNECTION_STRING).toMatch(referenceTo(insights, "ConnectionString"));
      expect(settings.APPLICATIONINSIGHTS_AUTHENTICATION_STRING).toContain("Authorization=AAD");
      expect(settings.APPLICATIONINSIGHTS_AUTHENTICATION_STRING).toContain(`reference('${identity().id}'`);
    });
  });

  describe("the analytics Kafka trigger runs in Azure", () => {
    it("is not disabled", () => {
      expect(Object.keys(settings).filter((k) => /^AzureWebJobs\..+\.Disabled$/.test(k))).toEqual([]);
    });

    it("reads its brokers from EventHubsBrokerList: the namespace's Kafka endpoint on 9093", () => {
      expect(settings.EventHubsBrokerList).toMatch(/^\[format\('\{0\}:9093', .*serviceBusEndpoint/);
      expect(settings.EventHubsBrokerList).toContain(single(t.resources, "Microsoft.EventHub/namespaces").id);
    });

    it("reads its password, AnalyticsKafkaConnection, from the vault's secret through a Key Vault reference", () => {
      const vault = single(t.resources, "Microsoft.KeyVault/vaults");
      const secretName = t.outputs.ANALYTICS_KAFKA_SECRET_NAME;
      const reference = `@Microsoft.KeyVault(VaultName=${vault.name};SecretName=${secretName})`;
      expect(settings.AnalyticsKafkaConnection).toBe(reference);
    });

    it("the secret is the connection string of a listen-only policy on the one event hub it reads", () => {
      const rule = single(t.resources, "Microsoft.EventHub/namespaces/eventhubs/authorizationRules");
      const namespace = single(t.resources, "Microsoft.EventHub/namespaces");
      expect(rule.name).toBe(`${namespace.name}/${topology.eventHub}/${t.outputs.ANALYTICS_LISTEN_RULE_NAME}`);
      expect(rule.properties.rights).toEqual(["Listen"]);
      // The postprovision hook copies exactly this policy's key (its inputs are these outputs).
      expect(t.outputs).toMatchObject({
        EVENT_HUBS_NAMESPACE_NAME: namespace.name,
        ANALYTICS_EVENT_HUB_NAME: topology.eventHub,
      });
      expect(t.outputs.AZURE_KEY_VAULT_NAME).toBe(single(t.resources, "Microsoft.KeyVault/vaults").name);
    });
  });
});
