/**
 * Output batching (maxEventsPerBatch, preferredBatchSizeInKilobytes, CloudEvents batch format), custom delivery
 * properties, and Azure Function destinations reached at the Functions host's Event Grid trigger endpoint.
 */
import { AzureKeyCredential, EventGridPublisherClient } from "@azure/eventgrid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEventGrid, startWebhook, type TestEventGrid, type TestWebhook, webhookSubscription } from "./helpers.js";

let eg: TestEventGrid;
let hook: TestWebhook;
let functionsHost: TestWebhook;

const at = (name: string) => new URL(`/${name}`, hook.url).toString();

beforeAll(async () => {
  hook = await startWebhook();
  functionsHost = await startWebhook("/");
  functionsHost.respondWith(() => ({ status: 202 }));
  eg = await startTestEventGrid({
    functionApps: { "fest-app": new URL(functionsHost.url).origin },
    topics: [
      {
        name: "batches",
        eventSubscriptions: [
          webhookSubscription("by-count", at("by-count"), { destinationProperties: { maxEventsPerBatch: 3 } }),
          webhookSubscription("by-size", at("by-size"), { destinationProperties: { maxEventsPerBatch: 100, preferredBatchSizeInKilobytes: 1 } }),
          webhookSubscription("with-headers", at("with-headers"), {
            destinationProperties: {
              deliveryAttributeMappings: [
                { name: "x-static", type: "Static", properties: { value: "fixed", isSecret: false } },
                { name: "x-order", type: "Dynamic", properties: { sourceField: "data.order" } },
              ],
            },
          }),
          {
            name: "to-function",
            properties: {
              destination: {
                endpointType: "AzureFunction",
                properties: { resourceId: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Web/sites/fest-app/functions/OnBatch", maxEventsPerBatch: 10 },
              },
            },
          },
        ],
      },
      {
        name: "ce-batches",
        properties: { inputSchema: "CloudEventSchemaV1_0" },
        eventSubscriptions: [webhookSubscription("ce-by-count", at("ce-by-count"), { destinationProperties: { maxEventsPerBatch: 2 } })],
      },
    ],
  });
  const client = new EventGridPublisherClient(eg.endpoint("batches"), "EventGrid", new AzureKeyCredential(eg.key("batches")), { allowInsecureConnection: true });
  await client.send(
    Array.from({ length: 7 }, (_, i) => ({ id: `b${i}`, eventType: "Batch.Item", subject: `items/${i}`, dataVersion: "1", data: { order: i, pad: "p".repeat(300) } })),
  );
  const ce = new EventGridPublisherClient(eg.endpoint("ce-batches"), "CloudEvent", new AzureKeyCredential(eg.key("ce-batches")), { allowInsecureConnection: true });
  await ce.send(Array.from({ length: 3 }, (_, i) => ({ id: `c${i}`, type: "Batch.Item", source: "/batches", data: { i } })));
  await eg.eventGrid.whenIdle();
});

afterAll(async () => {
  await eg?.close();
  await hook?.close();
  await functionsHost?.close();
});

const posts = (name: string) => hook.notifications().filter((r) => r.url === `/${name}`);

describe("batching", () => {
  it("never puts more than maxEventsPerBatch events in one request", () => {
    const sizes = posts("by-count").map((r) => r.json.length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(7);
    expect(Math.max(...sizes)).toBe(3);
    expect(sizes.sort()).toEqual([1, 3, 3]);
  });

  it("keeps batches near preferredBatchSizeInKilobytes", () => {
    const requests = posts("by-size");
    expect(requests.flatMap((r) => r.json)).toHaveLength(7);
    for (const r of requests) {
      expect(r.json.length).toBeLessThanOrEqual(2);
      expect(Buffer.byteLength(r.text)).toBeLessThan(1024 + 400);
    }
  });

  it("sends one event per request as a one-element array by default", () => {
    const requests = posts("with-headers");
    expect(requests).toHaveLength(7);
    expect(requests.every((r) => Array.isArray(r.json) && r.json.length === 1)).toBe(true);
  });

  it("uses the CloudEvents batch format when batching is on", () => {
    const requests = posts("ce-by-count");
    expect(requests.map((r) => r.json.length).sort()).toEqual([1, 2]);
    expect(requests[0].headers["content-type"]).toBe("application/cloudevents-batch+json; charset=utf-8");
  });
});

describe("custom delivery properties", () => {
  it("adds static and dynamic headers", () => {
    const r = posts("with-headers").find((p) => p.json[0].id === "b4")!;
    expect(r.headers["x-static"]).toBe("fixed");
    expect(r.headers["x-order"]).toBe("4");
  });
});

describe("Azure Function destination", () => {
  it("posts to /runtime/webhooks/eventgrid?functionName=NAME without a validation handshake, 202 counting as delivered", () => {
    const requests = functionsHost.requests;
    expect(requests.every((r) => r.headers["aeg-event-type"] === "Notification")).toBe(true);
    expect(requests[0].url).toBe("/runtime/webhooks/eventgrid?functionName=OnBatch");
    expect(requests.flatMap((r) => r.json)).toHaveLength(7);
    expect(eg.eventGrid.subscriptionState("batches", "to-function")!.counts.delivered).toBe(7);
  });
});
