/**
 * One topology: what the compiled template creates in Azure (queues, topics, subscriptions, rules, event hubs,
 * consumer groups, Event Grid topics and subscriptions with their filters, tables) equals what topology/*.json
 * declares for the emulators, so local and Azure cannot drift; and the entities the code names (src/config.ts
 * topology) are in it.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseJsonc, type ParseError, printParseErrorCode } from "jsonc-parser";
import { beforeAll, describe, expect, it } from "vitest";
import { topology } from "../../src/config.js";
import { repoRoot } from "./code-settings.js";
import { type CompiledTemplate, compileTemplate, leaf, ofType, type PredictedResource } from "./compiled-template.js";
import { single, skipReason } from "./compiled-template.js";

function config(path: string): any {
  const errors: ParseError[] = [];
  // Bicep's loadJsonContent skips // and /* */ comments, as jsonc-parser does.
  const text = readFileSync(join(repoRoot, path), "utf8");
  const value: unknown = parseJsonc(text, errors, { allowTrailingComma: false, disallowComments: false });
  const messages = errors.map((e) => `${path}@${e.offset}: ${printParseErrorCode(e.error)}`);
  if (messages.length) throw new Error(messages.join("; "));
  return value;
}

const serviceBus = config("topology/servicebus.json").UserConfig.Namespaces[0];
const eventHubs = config("topology/eventhubs.json").UserConfig.NamespaceConfig[0];
const eventGrid = config("topology/eventgrid.json");

/** The Service Bus config, flattened: each subscription and rule with its path (`topic/subscription[/rule]`). */
const sbTopics: any[] = serviceBus.Topics ?? [];
const sbSubscriptions = sbTopics.flatMap((topic) =>
  (topic.Subscriptions ?? []).map((s: any) => ({ path: `${topic.Name}/${s.Name}`, s })),
);
const sbRules = sbSubscriptions.flatMap(({ path, s }) =>
  (s.Rules ?? []).map((rule: any) => ({ path: `${path}/${rule.Name}`, rule })),
);
const egSubscriptions = (eventGrid.topics as any[]).flatMap((topic) =>
  topic.eventSubscriptions.map((s: any) => ({ topic: topic.name, s })),
);

/** A resource's path below its namespace or topic (`sb-x/commands/concerts` -> `commands/concerts`). */
const path = (r: PredictedResource) => r.name.split("/").slice(1).join("/");
const sorted = (list: string[]) => [...list].sort();
const byPath = (resources: PredictedResource[], p: string) => resources.find((r) => path(r) === p)!.properties;

/** The emulator config's Service Bus property names (PascalCase) are ARM's in camelCase; "" means unset. */
function armProperties(properties: Record<string, unknown> = {}): Record<string, unknown> {
  const entries = Object.entries(properties).filter(([, v]) => v !== "");
  return Object.fromEntries(entries.map(([k, v]) => [k[0].toLowerCase() + k.slice(1), v]));
}

describe("the emulator configs the template loads", () => {
  it("every Event Grid topic declares properties.inputSchema and eventSubscriptions (infra/ pairs by index)", () => {
    for (const topic of eventGrid.topics) {
      expect(topic.properties?.inputSchema, topic.name).toBeTypeOf("string");
      expect(Array.isArray(topic.eventSubscriptions), topic.name).toBe(true);
    }
  });

  it.each(Object.values(topology.topics))("Service Bus topic %s, which the code names, is in the config", (topic) => {
    expect(sbTopics.map((t) => t.Name)).toContain(topic);
  });

  it("the event hub the code names is in eventhubs.json, and the Event Grid topic in eventgrid.json", () => {
    expect(eventHubs.Entities.map((e: { Name: string }) => e.Name)).toContain(topology.eventHub);
    expect(eventGrid.topics.map((t: { name: string }) => t.name)).toContain(topology.eventGridTopic);
  });

  it("every AzureFunction destination in eventgrid.json names a function the app registers", () => {
    const folder = join(repoRoot, "functions");
    const files = readdirSync(folder).filter((f) => f.endsWith(".ts"));
    const sources = files.map((f) => readFileSync(join(folder, f), "utf8"));
    const registrations = /app\.eventGrid\(\s*["'`]([^"'`]+)["'`]/g;
    const registered = new Set(sources.flatMap((text) => [...text.matchAll(registrations)].map((m) => m[1])));
    const destinations = egSubscriptions
      .map(({ s }) => s.properties.destination)
      .filter((d) => d.endpointType === "AzureFunction");
    expect(destinations.length).toBeGreaterThan(0);
    for (const d of destinations) expect(registered).toContain(String(d.properties.resourceId).split("/").at(-1));
  });
});

describe.skipIf(Boolean(skipReason))("the compiled template creates the emulators' topology", () => {
  let t: CompiledTemplate;
  beforeAll(() => {
    t = compileTemplate();
  }, 120_000);

  it("Service Bus queues: the same names and properties", () => {
    const queues = ofType(t.resources, "Microsoft.ServiceBus/namespaces/queues");
    const declared: any[] = serviceBus.Queues ?? [];
    expect(sorted(queues.map(path))).toEqual(sorted(declared.map((q) => q.Name)));
    for (const q of declared) expect(byPath(queues, q.Name)).toMatchObject(armProperties(q.Properties));
  });

  it("Service Bus topics: the same names and properties", () => {
    const topics = ofType(t.resources, "Microsoft.ServiceBus/namespaces/topics");
    expect(sorted(topics.map(path))).toEqual(sorted(sbTopics.map((x) => x.Name)));
    for (const topic of sbTopics) expect(byPath(topics, topic.Name)).toMatchObject(armProperties(topic.Properties));
  });

  it("Service Bus subscriptions: the same names under the same topics, with the same properties", () => {
    const subscriptions = ofType(t.resources, "Microsoft.ServiceBus/namespaces/topics/subscriptions");
    expect(sorted(subscriptions.map(path))).toEqual(sorted(sbSubscriptions.map((d) => d.path)));
    for (const d of sbSubscriptions) {
      expect(byPath(subscriptions, d.path), d.path).toMatchObject(armProperties(d.s.Properties));
    }
  });

  it("Service Bus rules: the same filters and actions; a subscription with rules gets no accept-all $Default", () => {
    const rules = ofType(t.resources, "Microsoft.ServiceBus/namespaces/topics/subscriptions/rules");
    // ARM gives a new subscription a `$Default` rule that accepts everything: it is overwritten to accept nothing.
    const defaults = sbSubscriptions
      .filter(({ s }) => s.Rules?.length && !s.Rules.some((r: any) => r.Name === "$Default"))
      .map(({ path: p }) => `${p}/$Default`);
    expect(sorted(rules.map(path))).toEqual(sorted([...sbRules.map((d) => d.path), ...defaults]));
    for (const { path: p, rule } of sbRules) {
      const deployed = byPath(rules, p);
      if (rule.Properties.FilterType === "Correlation") {
        expect(deployed.filterType, p).toBe("CorrelationFilter");
        expect(deployed.correlationFilter, p).toMatchObject(armProperties(rule.Properties.CorrelationFilter));
      } else {
        expect(deployed.filterType, p).toBe("SqlFilter");
        expect(deployed.sqlFilter.sqlExpression, p).toBe(rule.Properties.SqlFilter.SqlExpression);
      }
      expect(deployed.action?.sqlExpression ?? null, p).toBe(rule.Properties.Action?.SqlExpression ?? null);
    }
    for (const d of defaults) expect(byPath(rules, d).sqlFilter.sqlExpression).toBe("1=0");
  });

  it("event hubs: the same names and partition counts", () => {
    const hubs = ofType(t.resources, "Microsoft.EventHub/namespaces/eventhubs");
    const deployed = hubs.map((h) => `${path(h)}: ${h.properties.partitionCount}`);
    expect(sorted(deployed)).toEqual(sorted(eventHubs.Entities.map((e: any) => `${e.Name}: ${e.PartitionCount}`)));
  });

  it("consumer groups: the same names under the same event hubs ($Default exists in every event hub)", () => {
    const groups = ofType(t.resources, "Microsoft.EventHub/namespaces/eventhubs/consumergroups");
    const declared = eventHubs.Entities.flatMap((e: any) =>
      (e.ConsumerGroups ?? []).filter((g: any) => g.Name !== "$Default").map((g: any) => `${e.Name}/${g.Name}`),
    );
    expect(sorted(groups.map(path))).toEqual(sorted(declared));
  });

  it("Event Grid topics: one per config topic, with its input schema", () => {
    const topics = ofType(t.resources, "Microsoft.EventGrid/topics");
    expect(topics.length).toBe(eventGrid.topics.length);
    for (const topic of eventGrid.topics) {
      const deployed = topics.find((r) => r.name.startsWith(`${topic.name}-`));
      expect(deployed?.properties.inputSchema, topic.name).toBe(topic.properties.inputSchema);
    }
  });

  it("Event Grid subscriptions: the same names, filters, schemas, retries; destinations re-pointed at the app", () => {
    const subscriptions = ofType(t.resources, "Microsoft.EventGrid/topics/eventSubscriptions");
    const site = single(t.resources, "Microsoft.Web/sites");
    // The deployed topic's name is the config's with the environment's token appended.
    const configName = (r: PredictedResource) => `${r.name.split("/")[0].replace(/-[a-z0-9]{13}$/, "")}/${leaf(r)}`;
    expect(sorted(subscriptions.map(configName))).toEqual(sorted(egSubscriptions.map((d) => `${d.topic}/${d.s.name}`)));
    for (const { s } of egSubscriptions) {
      const deployed = subscriptions.find((r) => leaf(r) === s.name)!.properties;
      expect(deployed.filter, s.name).toEqual(s.properties.filter ?? {});
      expect(deployed.eventDeliverySchema, s.name).toBe(s.properties.eventDeliverySchema);
      expect(deployed.retryPolicy, s.name).toEqual(s.properties.retryPolicy);
      const destination = s.properties.destination;
      expect(deployed.destination.endpointType, s.name).toBe(destination.endpointType);
      if (destination.endpointType === "AzureFunction") {
        const functionName = destination.properties.resourceId.split("/").at(-1);
        expect(deployed.destination.properties.resourceId).toBe(`${site.id}/functions/${functionName}`);
      } else if (destination.endpointType === "WebHook") {
        // The local app's address becomes the deployed app's host name (known once deployed), over HTTPS, on the
        // same path: the expression replaces the config's function app URL prefix.
        const url = deployed.destination.properties.endpointUrl as string;
        expect(url).toContain(`format('https://{0}{1}', parameters('functionAppHostName')`);
        expect(url).toContain(`'${destination.properties.endpointUrl}'`);
        for (const local of Object.values(eventGrid.functionApps)) expect(url).toContain(`createArray('${local}')`);
      }
    }
  });

  it("tables: every table of src/config.ts topology.tables", () => {
    const tables = ofType(t.resources, "Microsoft.Storage/storageAccounts/tableServices/tables").map(leaf);
    expect(sorted(tables)).toEqual(sorted(Object.values(topology.tables)));
  });

  it("the app publishes to the Event Grid topic the code names", () => {
    const settings = single(t.resources, "Microsoft.Web/sites/config").properties;
    const topics = ofType(t.resources, "Microsoft.EventGrid/topics");
    const topic = topics.find((r) => r.name.startsWith(`${topology.eventGridTopic}-`))!;
    expect(settings.MusicFestEvents__topicEndpointUri).toContain(`reference('${topic.id}'`);
  });
});
