/**
 * The official Event Hubs emulator's `Config.json` format, validated into the hubs the Kafka endpoint serves.
 *
 * Accepted as Microsoft's emulator accepts it, plus what configs in the wild do: `PartitionCount` as a number or a
 * numeric string, any namespace name, an empty `ConsumerGroups` list. `$Default` always exists (declaring it is
 * tolerated). One extension: `RetentionTimeInHours` per event hub (the emulator's fixed 1 hour when absent).
 */
import { z } from "zod";
import { ConfigError, formatJsonPath, loadConfigFile, validateConfig } from "../common/config-file.js";

export interface EventHubConfig {
  name: string;
  partitionCount: number;
  /** Event Hubs consumer groups, `$Default` first. Kafka group ids are not restricted to these (as on Azure). */
  consumerGroups: string[];
  retentionMs: number;
}

export interface EventHubsConfig {
  namespace: string;
  eventHubs: EventHubConfig[];
}

export const DEFAULT_CONSUMER_GROUP = "$Default";
/** The official emulator keeps events for 1 hour. */
export const DEFAULT_RETENTION_MS = 3_600_000;

const ENTITY_NAME = /^[A-Za-z0-9]$|^[A-Za-z0-9][\w\-./]*[A-Za-z0-9]$/;
const entityName = z.string().regex(ENTITY_NAME, "must start and end with a letter or digit and contain only letters, digits, '-', '_', '.' and '/'");
const groupName = z.string().refine((s) => s.toLowerCase() === "$default" || ENTITY_NAME.test(s), "must be $Default or start and end with a letter or digit");

const partitionCount = z.union([z.number(), z.string().regex(/^\s*\d+\s*$/, "must be a whole number").transform(Number)]).pipe(
  z.number().int("must be a whole number").min(1, "must be at least 1").max(32, "must be at most 32 (the emulator's and Standard tier's limit)"),
);

const schema = z.object({
  UserConfig: z.object({
    NamespaceConfig: z
      .array(
        z.object({
          Type: z.literal("EventHub").optional(),
          Name: z.string().regex(/^[A-Za-z][-A-Za-z0-9]*[A-Za-z0-9]$/, "must start with a letter and contain only letters, digits and '-'").optional(),
          Entities: z
            .array(
              z.object({
                Name: entityName,
                PartitionCount: partitionCount,
                ConsumerGroups: z.array(z.object({ Name: groupName })).max(20, "at most 20 consumer groups per event hub").optional(),
                RetentionTimeInHours: z.number().positive("must be a positive number of hours").optional(),
              }),
            )
            .min(1, "declare at least one event hub")
            .max(10, "at most 10 event hubs per namespace (the emulator's limit)"),
        }),
      )
      .length(1, "exactly one namespace is supported"),
    LoggingConfig: z.object({ Type: z.enum(["File", "Console", "File,Console", "Console,File"]) }).optional(),
  }),
});

type RawConfig = z.output<typeof schema>;

function toModel(raw: RawConfig, file: string): EventHubsConfig {
  const ns = raw.UserConfig.NamespaceConfig[0];
  const problems: { path: string; message: string }[] = [];
  const hubNames = new Set<string>();
  const eventHubs = ns.Entities.map((e, i): EventHubConfig => {
    const path = ["UserConfig", "NamespaceConfig", 0, "Entities", i];
    if (hubNames.has(e.Name.toLowerCase())) problems.push({ path: formatJsonPath([...path, "Name"]), message: `"${e.Name}" is declared twice` });
    hubNames.add(e.Name.toLowerCase());
    const groups = [DEFAULT_CONSUMER_GROUP];
    (e.ConsumerGroups ?? []).forEach((g, gi) => {
      if (g.Name.toLowerCase() === "$default") return;
      if (groups.some((x) => x.toLowerCase() === g.Name.toLowerCase())) {
        problems.push({ path: formatJsonPath([...path, "ConsumerGroups", gi, "Name"]), message: `"${g.Name}" is declared twice` });
      }
      groups.push(g.Name);
    });
    return {
      name: e.Name,
      partitionCount: e.PartitionCount,
      consumerGroups: groups,
      retentionMs: e.RetentionTimeInHours !== undefined ? Math.round(e.RetentionTimeInHours * 3_600_000) : DEFAULT_RETENTION_MS,
    };
  });
  if (problems.length > 0) throw new ConfigError(file, problems);
  return { namespace: ns.Name ?? "emulatorNs1", eventHubs };
}

export function parseEventHubsConfig(value: unknown, file = "<config>"): EventHubsConfig {
  return toModel(validateConfig(schema, value, file), file);
}

export function loadEventHubsConfig(file: string): EventHubsConfig {
  return toModel(loadConfigFile(schema, file), file);
}
