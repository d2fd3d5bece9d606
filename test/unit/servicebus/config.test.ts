import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../emulator/common/config-file.js";
import { defaultServiceBusConfigFile } from "../../../emulator/index.js";
import { loadServiceBusConfig, parseServiceBusConfig } from "../../../emulator/servicebus/config.js";
import { appServiceBusConfigFile } from "../../../topology/files.js";

// A verbatim copy of Microsoft's emulator sample (Azure/azure-service-bus-emulator-installer, Config/Config.json).
const officialSample = join(import.meta.dirname, "../../fixtures/servicebus/official-config.json");

function problemsOf(config: unknown): { path: string; message: string }[] {
  try {
    parseServiceBusConfig(config);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error("expected the config to be refused");
}

const ns = (body: object) => ({ UserConfig: { Namespaces: [{ Name: "anything-goes", Queues: [], Topics: [], ...body }] } });

describe("Service Bus Config.json", () => {
  it("loads the ticketing system's topology with its // comments", () => {
    const config = loadServiceBusConfig(appServiceBusConfigFile);
    expect(config.topics.map((t) => t.name)).toEqual(expect.arrayContaining(["commands", "events"]));
  });

  it("loads the emulator's own default, the sample entities of Microsoft's emulator", () => {
    const config = loadServiceBusConfig(defaultServiceBusConfigFile);
    expect(config.queues.map((q) => q.name)).toEqual(["queue.1"]);
    expect(config.topics.map((t) => t.name)).toEqual(["topic.1"]);
  });

  it("loads Microsoft's sample Config.json unchanged, SQL filter and action included", () => {
    const config = loadServiceBusConfig(officialSample);
    expect(config.name).toBe("sbemulatorns");
    const queue = config.queues.find((q) => q.name === "queue.1")!;
    expect(queue.options.lockDurationMs).toBe(60_000);
    expect(queue.options.maxDeliveryCount).toBe(3);
    expect(queue.options.defaultMessageTimeToLiveMs).toBe(3_600_000);
    const topic = config.topics.find((t) => t.name === "topic.1")!;
    expect(topic.subscriptions.map((s) => s.name)).toEqual(["subscription.1", "subscription.2", "subscription.3", "subscription.4"]);
    expect(topic.subscriptions[0].rules[0].filter).toMatchObject({ type: "correlation", contentType: "application/json" });
    expect(topic.subscriptions[1].rules[0].filter).toMatchObject({ type: "correlation", properties: { prop1: "value1" } });
    // A subscription declared without rules gets the $Default rule that matches everything.
    expect(topic.subscriptions[2].rules).toEqual([{ name: "$Default", filter: { type: "true" } }]);
    expect(topic.subscriptions[3].rules[0]).toMatchObject({
      filter: { type: "sql", expression: "sys.MessageId = '123456' AND userProp1 = 'value1'" },
      action: { type: "sql", expression: "SET sys.To = 'Entity'" },
    });
  });

  it("has none of the official emulator's caps: any namespace name, long TTLs, 1 s locks, many entities", () => {
    const queues = Array.from({ length: 200 }, (_, i) => ({ Name: `q${i}`, Properties: { DefaultMessageTimeToLive: "P14D", LockDuration: "PT1S", MaxDeliveryCount: 100 } }));
    const config = parseServiceBusConfig(ns({ Queues: queues }));
    expect(config.name).toBe("anything-goes");
    expect(config.queues).toHaveLength(200);
    expect(config.queues[0].options).toMatchObject({ defaultMessageTimeToLiveMs: 14 * 86_400_000, lockDurationMs: 1000, maxDeliveryCount: 100 });
  });

  it.each([
    [{ Queues: [{ Name: "q", Properties: { LockDuration: "1 minute" } }] }, "UserConfig.Namespaces[0].Queues[0].Properties.LockDuration", "ISO 8601"],
    [{ Queues: [{ Name: "q", Properties: { LockDuration: "PT10M" } }] }, "UserConfig.Namespaces[0].Queues[0].Properties.LockDuration", "between"],
    [{ Queues: [{ Name: "-bad" }] }, "UserConfig.Namespaces[0].Queues[0].Name", "letter or digit"],
    [{ Queues: [{ Name: "q", Properties: { MaxDeliveryCount: 0 } }] }, "UserConfig.Namespaces[0].Queues[0].Properties.MaxDeliveryCount", ""],
    [{ Queues: [{ Name: "q", Properties: { Unknown: 1 } }] }, "UserConfig.Namespaces[0].Queues[0].Properties", "Unknown"],
    [{ Queues: [{ Name: "q" }, { Name: "Q" }] }, "UserConfig.Namespaces[0].Queues[1].Name", "already used"],
    [{ Queues: [{ Name: "q", Properties: { ForwardTo: "nowhere" } }] }, "UserConfig.Namespaces[0].Queues[0].Properties.ForwardTo", "nowhere"],
    [
      { Topics: [{ Name: "t", Subscriptions: [{ Name: "s", Rules: [{ Name: "r", Properties: { FilterType: "Sql" } }] }] }] },
      "UserConfig.Namespaces[0].Topics[0].Subscriptions[0].Rules[0].Properties.SqlFilter",
      "SqlFilter",
    ],
  ])("refuses a bad config with the JSON path and the rule (%#)", (body, path, message) => {
    const problems = problemsOf(ns(body));
    expect(problems).toContainEqual(expect.objectContaining({ path, message: expect.stringContaining(message) }));
  });

  it("refuses a SQL filter that does not parse, naming the rule, the expression and the position", () => {
    const problems = problemsOf(
      ns({ Topics: [{ Name: "t", Subscriptions: [{ Name: "s", Rules: [{ Name: "r", Properties: { FilterType: "Sql", SqlFilter: { SqlExpression: "color = = 'red'" } } }] }] }] }),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0].path).toBe("UserConfig.Namespaces[0].Topics[0].Subscriptions[0].Rules[0].Properties.SqlFilter.SqlExpression");
    expect(problems[0].message).toContain("color = = 'red'");
    expect(problems[0].message).toMatch(/position \d+/);
  });

  it("reports JSON syntax errors with line and column", () => {
    const dir = mkdtempSync(join(tmpdir(), "sbcfg-"));
    const file = join(dir, "Config.json");
    writeFileSync(file, '{\n  "UserConfig": {\n    "Namespaces": [ }\n}');
    expect(() => loadServiceBusConfig(file)).toThrow(/line 3, column \d+/);
  });

  it("refuses ForwardTo loops, naming the ForwardTo that starts each loop and the loop itself", () => {
    const problems = problemsOf(
      ns({
        Queues: [
          { Name: "self", Properties: { ForwardTo: "self" } },
          { Name: "a", Properties: { ForwardTo: "b" } },
          { Name: "b", Properties: { ForwardTo: "t" } },
          { Name: "end" },
          { Name: "chain", Properties: { ForwardTo: "end", ForwardDeadLetteredMessagesTo: "chain" } },
        ],
        Topics: [{ Name: "t", Subscriptions: [{ Name: "back", Properties: { ForwardTo: "a" } }, { Name: "plain" }] }],
      }),
    );
    expect(problems).toEqual([
      { path: "UserConfig.Namespaces[0].Queues[0].Properties.ForwardTo", message: "ForwardTo makes a loop: self -> self" },
      { path: "UserConfig.Namespaces[0].Queues[1].Properties.ForwardTo", message: "ForwardTo makes a loop: a -> b -> t/Subscriptions/back -> a" },
    ]);
  });
});
