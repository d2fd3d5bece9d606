/**
 * Publishing with the real EventGridPublisherClient (EventGrid, CloudEvents and custom schemas; key and SAS
 * credentials; http with allowInsecureConnection) and Azure's refusals of bad requests.
 */
import { AzureKeyCredential, AzureSASCredential, EventGridDeserializer, EventGridPublisherClient, generateSharedAccessSignature } from "@azure/eventgrid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEventGrid, startWebhook, type TestEventGrid, type TestWebhook, webhookSubscription } from "./helpers.js";

let eg: TestEventGrid;
let egHook: TestWebhook;
let ceHook: TestWebhook;
let customHook: TestWebhook;

beforeAll(async () => {
  [egHook, ceHook, customHook] = await Promise.all([startWebhook(), startWebhook(), startWebhook()]);
  eg = await startTestEventGrid({
    subscriptionId: "11111111-2222-3333-4444-555555555555",
    resourceGroup: "rg-test",
    topics: [
      { name: "orders", eventSubscriptions: [webhookSubscription("all-orders", egHook.url)] },
      { name: "tickets", properties: { inputSchema: "CloudEventSchemaV1_0" }, eventSubscriptions: [webhookSubscription("all-tickets", ceHook.url)] },
      {
        name: "legacy",
        properties: {
          inputSchema: "CustomEventSchema",
          inputSchemaMapping: {
            inputSchemaMappingType: "Json",
            properties: { id: { sourceField: "ref" }, eventType: { sourceField: "kind" }, subject: { defaultValue: "legacy/items" } },
          },
        },
        eventSubscriptions: [
          webhookSubscription("as-eventgrid", egHook.url, { filter: { includedEventTypes: ["never"] } }),
          webhookSubscription("as-custom", customHook.url, { eventDeliverySchema: "CustomInputSchema" }),
        ],
      },
    ],
  });
});

afterAll(async () => {
  await eg?.close();
  await Promise.all([egHook?.close(), ceHook?.close(), customHook?.close()]);
});

const client = (topic: string, schema: "EventGrid" | "CloudEvent" | "Custom", key = eg.key(topic)) =>
  new EventGridPublisherClient(eg.endpoint(topic), schema as "EventGrid", new AzureKeyCredential(key), { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } });

async function rawPost(topic: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${eg.endpoint(topic)}?api-version=2018-01-01`, {
    method: "POST",
    headers: { "content-type": "application/json", "aeg-sas-key": eg.key(topic), ...headers },
    body,
  });
  return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
}

describe("EventGrid schema", () => {
  it("accepts events from EventGridPublisherClient and delivers them with topic and metadataVersion stamped", async () => {
    await client("orders", "EventGrid").send([
      { eventType: "Contoso.Orders.Placed", subject: "orders/1", dataVersion: "1.0", data: { orderId: 1 } },
      { eventType: "Contoso.Orders.Placed", subject: "orders/2", dataVersion: "1.0", data: { orderId: 2 } },
    ]);
    const got = await egHook.waitForNotifications(2);
    const deserializer = new EventGridDeserializer();
    const deserialized = (await Promise.all(got.map((r) => deserializer.deserializeEventGridEvents(r.text)))).flat();
    expect(deserialized.map((e: any) => e.data.orderId).sort()).toEqual([1, 2]);
    expect(got[0].json[0].topic).toBe("/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-test/providers/Microsoft.EventGrid/topics/orders");
    expect(got[0].json[0].metadataVersion).toBe("1");
    expect(got[0].headers["aeg-subscription-name"]).toBe("ALL-ORDERS");
    expect(got[0].headers["aeg-event-type"]).toBe("Notification");
    expect(got[0].headers["aeg-delivery-count"]).toBe("0");
    expect(got[0].headers["aeg-data-version"]).toBe("1.0");
    expect(got[0].headers["aeg-output-event-id"]).toBe(got[0].json[0].id);
  });

  it("accepts a SAS token made by generateSharedAccessSignature", async () => {
    const sas = await generateSharedAccessSignature(eg.endpoint("orders"), new AzureKeyCredential(eg.key("orders")), new Date(Date.now() + 3_600_000));
    const sasClient = new EventGridPublisherClient(eg.endpoint("orders"), "EventGrid", new AzureSASCredential(sas), { allowInsecureConnection: true });
    await expect(sasClient.send([{ eventType: "Contoso.Orders.Placed", subject: "orders/sas", dataVersion: "1", data: {} }])).resolves.toBeDefined();
  });

  it("refuses a wrong key with 401 and Azure's error body", async () => {
    const err = await client("orders", "EventGrid", Buffer.from("not-the-key-at-all-really").toString("base64"))
      .send([{ eventType: "x", subject: "y", dataVersion: "1", data: {} }])
      .catch((e) => e);
    expect(err.statusCode).toBe(401);
    expect(err.code).toBe("Unauthorized");
    expect(err.message).toMatch(/^The request authorization key is not authorized for .*Report '/);
  });

  it("refuses an expired or forged SAS token with 401", async () => {
    const expired = await generateSharedAccessSignature(eg.endpoint("orders"), new AzureKeyCredential(eg.key("orders")), new Date(Date.now() - 60_000));
    const forged = await generateSharedAccessSignature(eg.endpoint("orders"), new AzureKeyCredential(eg.key("tickets")), new Date(Date.now() + 60_000));
    for (const sas of [expired, forged]) {
      const c = new EventGridPublisherClient(eg.endpoint("orders"), "EventGrid", new AzureSASCredential(sas), { allowInsecureConnection: true });
      const err = await c.send([{ eventType: "x", subject: "y", dataVersion: "1", data: {} }]).catch((e) => e);
      expect(err.statusCode).toBe(401);
    }
  });

  it("refuses a request without credentials", async () => {
    const res = await fetch(`${eg.endpoint("orders")}?api-version=2018-01-01`, { method: "POST", body: "[]", headers: { "content-type": "application/json" } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).error.message).toMatch(/^Request must contain one of the following authorization signature: aeg-sas-token, aeg-sas-key\./);
  });

  it("answers 400 InputJsonInvalid for malformed JSON, missing fields, a foreign topic and an empty batch", async () => {
    const malformed = await rawPost("orders", "[{");
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.details[0].code).toBe("InputJsonInvalid");

    const missing = await rawPost("orders", JSON.stringify([{ id: "1", eventType: "x", eventTime: new Date().toISOString(), data: {} }]));
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/requires 'subject' property to be set/);

    const foreign = await client("orders", "EventGrid")
      .send([{ topic: "/subscriptions/x/resourceGroups/y/providers/Microsoft.EventGrid/topics/other", eventType: "x", subject: "y", dataVersion: "1", data: {} }])
      .catch((e) => e);
    expect(foreign.statusCode).toBe(400);
    expect(foreign.message).toMatch(/does not match the topic/);

    const empty = await rawPost("orders", "[]");
    expect(empty.status).toBe(400);
  });

  it("answers 413 for an event over 1 MB and for a request over 1,536,000 bytes", async () => {
    const big = "x".repeat(1_100_000);
    const oneEvent = await client("orders", "EventGrid").send([{ eventType: "x", subject: "y", dataVersion: "1", data: { big } }]).catch((e) => e);
    expect(oneEvent.statusCode).toBe(413);
    expect(oneEvent.code).toBe("RequestEntityTooLarge");

    const half = "y".repeat(800_000);
    const twoEvents = await client("orders", "EventGrid")
      .send([
        { eventType: "x", subject: "y", dataVersion: "1", data: { half } },
        { eventType: "x", subject: "y", dataVersion: "1", data: { half } },
      ])
      .catch((e) => e);
    expect(twoEvents.statusCode).toBe(413);
    expect(twoEvents.message).toMatch(/The maximum size \(1536000\) has been exceeded/);
  });

  it("answers 404 with Azure's body for an unknown topic", async () => {
    const err = await new EventGridPublisherClient(eg.endpoint("orders").replace("/orders/", "/nope/"), "EventGrid", new AzureKeyCredential(eg.key("orders")), {
      allowInsecureConnection: true,
    })
      .send([{ eventType: "x", subject: "y", dataVersion: "1", data: {} }])
      .catch((e) => e);
    expect(err.statusCode).toBe(404);
    expect(err.code).toBe("NotFound");
  });

  it("enforces the topic's input schema", async () => {
    const err = await client("orders", "CloudEvent")
      .send([{ type: "Contoso.X", source: "/contoso", data: { a: 1 } }] as never)
      .catch((e) => e);
    expect(err.statusCode).toBe(400);
    expect(err.message).toMatch(/configured for 'EventGridEvent' schema/);
  });
});

describe("CloudEvents schema", () => {
  it("accepts a batch from EventGridPublisherClient and delivers each event as structured CloudEvents", async () => {
    await client("tickets", "CloudEvent").send([
      { type: "Contoso.Tickets.Sold", source: "/contoso/tickets", subject: "tickets/1", data: { seat: "A1" }, extensionAttributes: { tenant: "t1" } },
      { type: "Contoso.Tickets.Sold", source: "/contoso/tickets", subject: "tickets/2", data: { seat: "A2" } },
    ] as never);
    const got = await ceHook.waitForNotifications(2);
    expect(got[0].headers["content-type"]).toBe("application/cloudevents+json; charset=utf-8");
    expect(got[0].headers["aeg-metadata-version"]).toBe("1.0");
    const events = got.map((r) => r.json);
    expect(events.map((e) => e.data.seat).sort()).toEqual(["A1", "A2"]);
    expect(events.find((e) => e.data.seat === "A1").tenant).toBe("t1");
    expect(ceHook.requests[0].method).toBe("OPTIONS");
    expect(ceHook.requests[0].headers["webhook-request-origin"]).toBe("eventgrid.azure.net");
  });

  it("accepts a single structured event (application/cloudevents+json)", async () => {
    const before = ceHook.notifications().length;
    const res = await rawPost("tickets", JSON.stringify({ specversion: "1.0", id: "single-1", type: "Contoso.Tickets.Sold", source: "/contoso", data: { seat: "B1" } }), {
      "content-type": "application/cloudevents+json; charset=utf-8",
    });
    expect(res.status).toBe(200);
    const got = await ceHook.waitForNotifications(before + 1);
    expect(got.some((r) => r.json.id === "single-1")).toBe(true);
  });

  it("accepts a binary-mode CloudEvent (ce-* headers, the body as data)", async () => {
    const before = ceHook.notifications().length;
    const res = await rawPost("tickets", JSON.stringify({ seat: "C3" }), {
      "ce-specversion": "1.0",
      "ce-id": "binary-1",
      "ce-type": "Contoso.Tickets.Sold",
      "ce-source": "/contoso/box%20office",
      "content-type": "application/json",
    });
    expect(res.status).toBe(200);
    const got = await ceHook.waitForNotifications(before + 1);
    const event = got.map((r) => r.json).find((e) => e.id === "binary-1");
    expect(event).toMatchObject({ source: "/contoso/box office", datacontenttype: "application/json", data: { seat: "C3" } });
  });

  it("refuses a CloudEvent without source, and an unsupported content type", async () => {
    const noSource = await rawPost("tickets", JSON.stringify([{ specversion: "1.0", id: "1", type: "x" }]), { "content-type": "application/cloudevents-batch+json; charset=utf-8" });
    expect(noSource.status).toBe(400);
    expect(noSource.body.error.message).toMatch(/requires 'source' property/);
    const wrongType = await rawPost("tickets", "{}", { "content-type": "text/plain" });
    expect(wrongType.status).toBe(415);
  });
});

describe("Custom input schema", () => {
  it("maps fields for filtering and delivers the original object with CustomInputSchema", async () => {
    await client("legacy", "Custom").send([{ ref: "r-1", kind: "Legacy.Created", payload: { n: 1 } }] as never);
    const got = await customHook.waitForNotifications(1);
    expect(got[0].json).toEqual([{ ref: "r-1", kind: "Legacy.Created", payload: { n: 1 } }]);
    expect(got[0].headers["aeg-output-event-id"]).toBe("r-1");
    expect(egHook.notifications().some((r) => r.json[0].id === "r-1")).toBe(false);
  });
});
