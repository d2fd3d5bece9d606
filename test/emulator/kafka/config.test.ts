/** The Event Hubs emulator Config.json format as the Kafka endpoint reads it. */
import { expect, test } from "vitest";
import { ConfigError } from "../../../emulator/common/config-file.js";
import { parseEventHubsConfig } from "../../../emulator/kafka/index.js";

const wrap = (entities: unknown[], ns: Record<string, unknown> = { Type: "EventHub", Name: "emulatorNs1" }) => ({
  UserConfig: { NamespaceConfig: [{ ...ns, Entities: entities }], LoggingConfig: { Type: "File" } },
});

test("the official sample config reads as one hub with $Default and its consumer group, kept 1 hour", () => {
  const config = parseEventHubsConfig(wrap([{ Name: "eh1", PartitionCount: 2, ConsumerGroups: [{ Name: "cg1" }] }]));
  expect(config).toEqual({ namespace: "emulatorNs1", eventHubs: [{ name: "eh1", partitionCount: 2, consumerGroups: ["$Default", "cg1"], retentionMs: 3_600_000 }] });
});

test("PartitionCount as a string, $Default declared, an empty group list and RetentionTimeInHours are accepted", () => {
  const config = parseEventHubsConfig(
    wrap([
      { Name: "a", PartitionCount: "4", ConsumerGroups: [{ Name: "$default" }, { Name: "analytics" }], RetentionTimeInHours: 24 },
      { Name: "b", PartitionCount: 1, ConsumerGroups: [] },
    ]),
  );
  expect(config.eventHubs.map((h) => [h.name, h.partitionCount, h.consumerGroups, h.retentionMs])).toEqual([
    ["a", 4, ["$Default", "analytics"], 86_400_000],
    ["b", 1, ["$Default"], 3_600_000],
  ]);
});

test("errors name the JSON path and the rule", () => {
  const problems = (value: unknown) => {
    try {
      parseEventHubsConfig(value, "eventhubs.json");
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
    }
    throw new Error("expected a ConfigError");
  };
  expect(problems(wrap([{ Name: "x", PartitionCount: 33 }]))).toEqual(["UserConfig.NamespaceConfig[0].Entities[0].PartitionCount: must be at most 32 (the emulator's and Standard tier's limit)"]);
  expect(problems(wrap([{ Name: "x", PartitionCount: 1 }, { Name: "X", PartitionCount: 1 }]))).toEqual(['UserConfig.NamespaceConfig[0].Entities[1].Name: "X" is declared twice']);
  expect(problems(wrap([{ Name: "-bad", PartitionCount: 1 }]))[0]).toMatch(/^UserConfig.NamespaceConfig\[0\].Entities\[0\].Name: must start and end/);
  expect(problems(wrap([]))).toEqual(["UserConfig.NamespaceConfig[0].Entities: declare at least one event hub"]);
});
