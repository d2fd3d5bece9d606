/**
 * The Event Grid config file: ARM property names in, validated topology out, and errors that name the JSON path.
 */
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../emulator/common/config-file.js";
import { defaultEventGridConfigFile } from "../../../emulator/index.js";
import { defaultTopicKey, loadEventGridConfig, parseEventGridConfig } from "../../../emulator/eventgrid/config.js";

const hook = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  properties: { destination: { endpointType: "WebHook", properties: { endpointUrl: "http://localhost:7071/api/hook" } }, ...extra },
});

function problems(config: unknown): string[] {
  try {
    parseEventGridConfig(config);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  return [];
}

describe("Event Grid config", () => {
  it("loads the default file", () => {
    const config = loadEventGridConfig(defaultEventGridConfigFile);
    expect(config.topics.length).toBeGreaterThan(0);
    expect(config.topics[0].armId).toMatch(/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.EventGrid\/topics\/[^/]+$/);
  });

  it("applies Azure's defaults", () => {
    const config = parseEventGridConfig({ topics: [{ name: "orders", eventSubscriptions: [hook("orders-hook")] }] });
    const [topic] = config.topics;
    expect(topic.inputSchema).toBe("EventGridSchema");
    expect(topic.key).toBe(defaultTopicKey("orders"));
    expect(Buffer.from(topic.key, "base64")).toHaveLength(32);
    const [sub] = topic.eventSubscriptions;
    expect(sub.eventDeliverySchema).toBe("EventGridSchema");
    expect(sub.retryPolicy).toEqual({ maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1440 });
    expect(sub.filter).toMatchObject({ subjectBeginsWith: "", isSubjectCaseSensitive: false, enableAdvancedFilteringOnArrays: false, advancedFilters: [] });
    expect(sub.destination).toMatchObject({ endpointType: "WebHook", batch: { maxEventsPerBatch: 1, enabled: false } });
  });

  it("defaults CloudEvents topics to CloudEvents delivery, and treats includedEventTypes ['All'] as all", () => {
    const config = parseEventGridConfig({
      topics: [{ name: "tickets", properties: { inputSchema: "CloudEventSchemaV1_0" }, eventSubscriptions: [hook("tickets-hook", { filter: { includedEventTypes: ["All"] } })] }],
    });
    expect(config.topics[0].eventSubscriptions[0].eventDeliverySchema).toBe("CloudEventSchemaV1_0");
    expect(config.topics[0].eventSubscriptions[0].filter.includedEventTypes).toBeUndefined();
  });

  it.each([
    ["a bad subscription name", { topics: [{ name: "ok-topic", eventSubscriptions: [hook("x")] }] }, "topics[0].eventSubscriptions[0].name"],
    [
      "an unknown operator",
      { topics: [{ name: "ok-topic", eventSubscriptions: [hook("sub-1", { filter: { advancedFilters: [{ operatorType: "NumberBetween", key: "data.a", values: [1] }] } })] }] },
      "topics[0].eventSubscriptions[0].properties.filter.advancedFilters[0].operatorType",
    ],
    [
      "more than 25 filter values",
      { topics: [{ name: "ok-topic", eventSubscriptions: [hook("sub-1", { filter: { advancedFilters: [{ operatorType: "NumberIn", key: "data.a", values: Array.from({ length: 26 }, (_, i) => i) }] } })] }] },
      "topics[0].eventSubscriptions[0].properties.filter.advancedFilters",
    ],
    [
      "CloudEvents input with EventGrid delivery",
      { topics: [{ name: "ok-topic", properties: { inputSchema: "CloudEventSchemaV1_0" }, eventSubscriptions: [hook("sub-1", { eventDeliverySchema: "EventGridSchema" })] }] },
      "topics[0].eventSubscriptions[0].properties.eventDeliverySchema",
    ],
    [
      "maxDeliveryAttempts over 30",
      { topics: [{ name: "ok-topic", eventSubscriptions: [hook("sub-1", { retryPolicy: { maxDeliveryAttempts: 31 } })] }] },
      "topics[0].eventSubscriptions[0].properties.retryPolicy.maxDeliveryAttempts",
    ],
    [
      "a function app without a URL",
      {
        topics: [
          {
            name: "ok-topic",
            eventSubscriptions: [{ name: "sub-1", properties: { destination: { endpointType: "AzureFunction", properties: { resourceId: "/subscriptions/x/resourceGroups/y/providers/Microsoft.Web/sites/app/functions/fn" } } } }],
          },
        ],
      },
      "topics[0].eventSubscriptions[0].properties.destination.properties.resourceId",
    ],
    [
      "an Event Hubs destination (not delivered yet)",
      {
        topics: [
          {
            name: "ok-topic",
            eventSubscriptions: [{ name: "sub-1", properties: { destination: { endpointType: "EventHub", properties: { resourceId: "/subscriptions/x/resourceGroups/y/providers/Microsoft.EventHub/namespaces/n/eventhubs/h" } } } }],
          },
        ],
      },
      "topics[0].eventSubscriptions[0].properties.destination.endpointType",
    ],
    ["a custom schema without mapping", { topics: [{ name: "ok-topic", properties: { inputSchema: "CustomEventSchema" } }] }, "topics[0].properties.inputSchemaMapping"],
    ["duplicate topics", { topics: [{ name: "same-name" }, { name: "SAME-NAME" }] }, "topics[1].name"],
  ])("refuses %s, naming the JSON path", (_what, config, path) => {
    const found = problems(config);
    expect(found.some((p) => p.startsWith(`${path}:`)), found.join("\n")).toBe(true);
  });
});
