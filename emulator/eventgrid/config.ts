/**
 * The Event Grid config file (`--eventgrid-config`; the ticketing system's is `topology/eventgrid.json`): custom topics and their event subscriptions, written with the ARM property names
 * of `Microsoft.EventGrid/topics` and `Microsoft.EventGrid/topics/eventSubscriptions` (each topic and subscription
 * is `{ name, properties }`), so `infra/` can deploy the same file. A few emulator-only settings sit beside them:
 * the topic `key` (Azure generates one), `functionApps` (where each function app's host listens) and
 * `storageAccounts` (connection strings of dead-letter accounts, such as Azurite's).
 *
 * Every rule Azure enforces on create is enforced here with the JSON path of the offending value.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { loadConfigFile, validateConfig } from "../common/config-file.js";
import type { AdvancedFilter, DeliverySchema, DestinationConfig, EventGridConfig, InputSchema, TopicConfig } from "./config-types.js";

export type * from "./config-types.js";

const NAME = /^[A-Za-z0-9-]{3,64}$/;
const name = z.string().regex(NAME, "must be 3 to 64 letters, digits or '-'");
const base64Key = z.string().regex(/^[A-Za-z0-9+/]{16,}={0,2}$/, "must be a base64 key (at least 16 characters)");
const absoluteUrl = z.string().refine((s) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol), "must be an absolute http(s) URL");

const mapping = z.object({
  name: z.string().min(1).refine((n) => !n.toLowerCase().startsWith("aeg-"), "must not start with 'aeg-' (reserved for Event Grid's own headers)"),
  type: z.enum(["Static", "Dynamic"]),
  properties: z.object({ value: z.string().max(4096).optional(), sourceField: z.string().min(1).optional(), isSecret: z.boolean().optional() }),
});
const mappings = z.array(mapping).max(10, "at most 10 delivery attribute mappings").optional();

const batchProps = {
  maxEventsPerBatch: z.number().int().min(1).max(5000).optional(),
  preferredBatchSizeInKilobytes: z.number().int().min(1).max(1024).optional(),
};

const destination = z.discriminatedUnion("endpointType", [
  z.object({ endpointType: z.literal("WebHook"), properties: z.object({ endpointUrl: absoluteUrl, ...batchProps, deliveryAttributeMappings: mappings }) }),
  z.object({
    endpointType: z.literal("AzureFunction"),
    properties: z.object({ resourceId: z.string().regex(/\/sites\/[^/]+\/functions\/[^/]+$/i, "must end with /sites/<app>/functions/<function>"), ...batchProps, deliveryAttributeMappings: mappings }),
  }),
  z.object({
    endpointType: z.literal("ServiceBusQueue"),
    properties: z.object({ resourceId: z.string().regex(/\/queues\/[^/]+$/i, "must end with /queues/<queue name>"), deliveryAttributeMappings: mappings }),
  }),
  z.object({
    endpointType: z.literal("ServiceBusTopic"),
    properties: z.object({ resourceId: z.string().regex(/\/topics\/[^/]+$/i, "must end with /topics/<topic name>"), deliveryAttributeMappings: mappings }),
  }),
  // The seam for Event Hubs: accepted by the schema so the error below can say why it is not delivered yet.
  z.object({ endpointType: z.literal("EventHub"), properties: z.object({ resourceId: z.string() }).loose() }),
]);

const str512 = z.string().max(512, "string filter values are at most 512 characters");
const key = z.string().min(1);
const numberValue = { key, value: z.number() };
const numberValues = { key, values: z.array(z.number()).min(1) };
const rangeValues = { key, values: z.array(z.tuple([z.number(), z.number()])).min(1) };
const stringValues = { key, values: z.array(str512).min(1) };
const noValue = { key };
const op = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) => z.object({ ...shape, operatorType: z.literal(type) });

const advancedFilter = z.discriminatedUnion("operatorType", [
  op("NumberIn", numberValues),
  op("NumberNotIn", numberValues),
  op("NumberLessThan", numberValue),
  op("NumberGreaterThan", numberValue),
  op("NumberLessThanOrEquals", numberValue),
  op("NumberGreaterThanOrEquals", numberValue),
  op("NumberInRange", rangeValues),
  op("NumberNotInRange", rangeValues),
  op("BoolEquals", { key, value: z.boolean() }),
  op("StringContains", stringValues),
  op("StringNotContains", stringValues),
  op("StringBeginsWith", stringValues),
  op("StringNotBeginsWith", stringValues),
  op("StringEndsWith", stringValues),
  op("StringNotEndsWith", stringValues),
  op("StringIn", stringValues),
  op("StringNotIn", stringValues),
  op("IsNullOrUndefined", noValue),
  op("IsNotNull", noValue),
]);

const filter = z
  .object({
    includedEventTypes: z.array(z.string().min(1)).nullable().optional(),
    subjectBeginsWith: z.string().optional(),
    subjectEndsWith: z.string().optional(),
    isSubjectCaseSensitive: z.boolean().optional(),
    enableAdvancedFilteringOnArrays: z.boolean().optional(),
    advancedFilters: z.array(advancedFilter).max(25, "at most 25 advanced filters per subscription").optional(),
  })
  .refine((f) => (f.advancedFilters ?? []).reduce((n, a) => n + ("values" in a ? a.values.length : 1), 0) <= 25, {
    message: "at most 25 filter values across all advanced filters of a subscription",
    path: ["advancedFilters"],
  });

const eventSubscription = z.object({
  name,
  properties: z.object({
    destination,
    filter: filter.optional(),
    eventDeliverySchema: z.enum(["EventGridSchema", "CloudEventSchemaV1_0", "CustomInputSchema"]).optional(),
    retryPolicy: z
      .object({ maxDeliveryAttempts: z.number().int().min(1).max(30).optional(), eventTimeToLiveInMinutes: z.number().int().min(1).max(1440).optional() })
      .optional(),
    deadLetterDestination: z
      .object({
        endpointType: z.literal("StorageBlob"),
        properties: z.object({
          resourceId: z.string().regex(/\/storageAccounts\/[^/]+$/i, "must end with /storageAccounts/<account>"),
          blobContainerName: z.string().regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, "must be a valid blob container name"),
        }),
      })
      .optional(),
    labels: z.array(z.string()).optional(),
    expirationTimeUtc: z.string().optional(),
  }),
});

const mappingField = z.object({ sourceField: z.string().optional(), defaultValue: z.string().optional() });
const topic = z.object({
  name,
  key: base64Key.optional(),
  properties: z
    .object({
      inputSchema: z.enum(["EventGridSchema", "CloudEventSchemaV1_0", "CustomEventSchema"]).optional(),
      inputSchemaMapping: z
        .object({
          inputSchemaMappingType: z.literal("Json"),
          properties: z.object({
            id: mappingField.optional(),
            topic: mappingField.optional(),
            eventTime: mappingField.optional(),
            eventType: mappingField.optional(),
            subject: mappingField.optional(),
            dataVersion: mappingField.optional(),
          }),
        })
        .optional(),
      publicNetworkAccess: z.string().optional(),
    })
    .optional(),
  eventSubscriptions: z.array(eventSubscription).optional(),
});

const fileSchema = z.object({
  $schema: z.string().optional(),
  subscriptionId: z.string().optional(),
  resourceGroup: z.string().optional(),
  functionApps: z.record(z.string(), absoluteUrl).optional(),
  storageAccounts: z.record(z.string(), z.string().min(1)).optional(),
  topics: z.array(topic),
});
type FileConfig = z.output<typeof fileSchema>;
type FileSubscription = z.output<typeof eventSubscription>;

/** A stable default key per topic, so restarts keep the same key without anyone writing one down. */
export function defaultTopicKey(topicName: string): string {
  return createHash("sha256").update(`musicfest-eventgrid-emulator/${topicName.toLowerCase()}`).digest("base64");
}

const ALLOWED_DELIVERY: Record<InputSchema, DeliverySchema[]> = {
  EventGridSchema: ["EventGridSchema", "CloudEventSchemaV1_0"],
  CloudEventSchemaV1_0: ["CloudEventSchemaV1_0"],
  CustomEventSchema: ["EventGridSchema", "CloudEventSchemaV1_0", "CustomInputSchema"],
};

function toDestination(d: FileSubscription["properties"]["destination"], path: string, problems: Problem[]): DestinationConfig | undefined {
  const batchOf = (p: { maxEventsPerBatch?: number; preferredBatchSizeInKilobytes?: number }) => ({
    maxEventsPerBatch: p.maxEventsPerBatch ?? 1,
    preferredBatchSizeInKilobytes: p.preferredBatchSizeInKilobytes ?? 64,
    enabled: p.maxEventsPerBatch !== undefined || p.preferredBatchSizeInKilobytes !== undefined,
  });
  const attrs = (m: z.output<typeof mappings>) =>
    (m ?? []).map((a) => ({ name: a.name, type: a.type, value: a.properties.value, sourceField: a.properties.sourceField }));
  switch (d.endpointType) {
    case "WebHook":
      return { endpointType: "WebHook", endpointUrl: d.properties.endpointUrl, batch: batchOf(d.properties), deliveryAttributeMappings: attrs(d.properties.deliveryAttributeMappings) };
    case "AzureFunction": {
      const m = /\/sites\/([^/]+)\/functions\/([^/]+)$/i.exec(d.properties.resourceId)!;
      return {
        endpointType: "AzureFunction",
        resourceId: d.properties.resourceId,
        functionApp: m[1],
        functionName: m[2],
        batch: batchOf(d.properties),
        deliveryAttributeMappings: attrs(d.properties.deliveryAttributeMappings),
      };
    }
    case "ServiceBusQueue":
    case "ServiceBusTopic":
      return {
        endpointType: d.endpointType,
        resourceId: d.properties.resourceId,
        entityName: d.properties.resourceId.split("/").pop()!,
        deliveryAttributeMappings: attrs(d.properties.deliveryAttributeMappings),
      };
    case "EventHub":
      problems.push({
        path: `${path}.endpointType`,
        message: "EventHub destinations are not delivered yet: they need the Event Hubs emulator's Kafka endpoint (see emulator/eventgrid/delivery/destinations.ts)",
      });
      return undefined;
  }
}

interface Problem {
  path: string;
  message: string;
}

function toConfig(file: FileConfig, source: string): EventGridConfig {
  const subscriptionId = file.subscriptionId ?? "00000000-0000-0000-0000-000000000000";
  const resourceGroup = file.resourceGroup ?? "musicfest-local";
  const functionApps = file.functionApps ?? {};
  const problems: Problem[] = [];
  const seenTopics = new Set<string>();
  const topics: TopicConfig[] = file.topics.map((t, ti) => {
    const tPath = `topics[${ti}]`;
    if (seenTopics.has(t.name.toLowerCase())) problems.push({ path: `${tPath}.name`, message: `duplicate topic name "${t.name}"` });
    seenTopics.add(t.name.toLowerCase());
    const inputSchema = t.properties?.inputSchema ?? "EventGridSchema";
    if (inputSchema === "CustomEventSchema" && !t.properties?.inputSchemaMapping)
      problems.push({ path: `${tPath}.properties.inputSchemaMapping`, message: "is required when inputSchema is CustomEventSchema" });
    const seenSubs = new Set<string>();
    const eventSubscriptions = (t.eventSubscriptions ?? []).flatMap((s, si) => {
      const sPath = `${tPath}.eventSubscriptions[${si}]`;
      if (seenSubs.has(s.name.toLowerCase())) problems.push({ path: `${sPath}.name`, message: `duplicate event subscription name "${s.name}"` });
      seenSubs.add(s.name.toLowerCase());
      const p = s.properties;
      const deliverySchema = p.eventDeliverySchema ?? (inputSchema === "CloudEventSchemaV1_0" ? "CloudEventSchemaV1_0" : "EventGridSchema");
      if (!ALLOWED_DELIVERY[inputSchema].includes(deliverySchema))
        problems.push({ path: `${sPath}.properties.eventDeliverySchema`, message: `${deliverySchema} delivery is not supported for a topic whose input schema is ${inputSchema}` });
      const dest = toDestination(p.destination, `${sPath}.properties.destination`, problems);
      if (dest?.endpointType === "AzureFunction" && !functionApps[dest.functionApp])
        problems.push({ path: `${sPath}.properties.destination.properties.resourceId`, message: `function app "${dest.functionApp}" has no URL in functionApps` });
      if (!dest) return [];
      const f = p.filter ?? {};
      const dl = p.deadLetterDestination?.properties;
      return [
        {
          name: s.name,
          destination: dest,
          eventDeliverySchema: deliverySchema,
          filter: {
            includedEventTypes: f.includedEventTypes && !(f.includedEventTypes.length === 1 && f.includedEventTypes[0] === "All") ? f.includedEventTypes : undefined,
            subjectBeginsWith: f.subjectBeginsWith ?? "",
            subjectEndsWith: f.subjectEndsWith ?? "",
            isSubjectCaseSensitive: f.isSubjectCaseSensitive ?? false,
            enableAdvancedFilteringOnArrays: f.enableAdvancedFilteringOnArrays ?? false,
            advancedFilters: (f.advancedFilters ?? []) as AdvancedFilter[],
          },
          retryPolicy: { maxDeliveryAttempts: p.retryPolicy?.maxDeliveryAttempts ?? 30, eventTimeToLiveInMinutes: p.retryPolicy?.eventTimeToLiveInMinutes ?? 1440 },
          deadLetter: dl ? { resourceId: dl.resourceId, accountName: dl.resourceId.split("/").pop()!, containerName: dl.blobContainerName } : undefined,
        },
      ];
    });
    const mappingProps = t.properties?.inputSchemaMapping?.properties;
    return {
      name: t.name,
      armId: `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.EventGrid/topics/${t.name}`,
      key: t.key ?? defaultTopicKey(t.name),
      inputSchema,
      inputSchemaMapping: mappingProps,
      eventSubscriptions,
    };
  });
  if (problems.length > 0) {
    // Reuse ConfigError's formatting through validateConfig with a schema that always fails with our problems.
    const failing = z.unknown().superRefine((_v, ctx) => {
      for (const p of problems) ctx.addIssue({ code: "custom", message: p.message, path: p.path.split(/\.|\[(\d+)\]/).filter(Boolean).map((s) => (/^\d+$/.test(s) ? Number(s) : s)) });
    });
    validateConfig(failing, null, source);
  }
  return { subscriptionId, resourceGroup, functionApps, storageAccounts: file.storageAccounts ?? {}, topics };
}

export function parseEventGridConfig(value: unknown, source = "(eventgrid config object)"): EventGridConfig {
  return toConfig(validateConfig(fileSchema, value, source), source);
}

export function loadEventGridConfig(file: string): EventGridConfig {
  return toConfig(loadConfigFile(fileSchema, file), file);
}
