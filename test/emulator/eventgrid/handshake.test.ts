/**
 * Endpoint validation before delivery: the EventGrid-schema SubscriptionValidation handshake (echoed code, and the
 * manual validation URL), the CloudEvents OPTIONS abuse-protection handshake, and a refused handshake retried on the
 * clock while events wait.
 */
import { AzureKeyCredential, EventGridPublisherClient } from "@azure/eventgrid";
import { afterEach, describe, expect, it } from "vitest";
import { startTestEventGrid, startWebhook, type TestEventGrid, type TestWebhook, webhookSubscription } from "./helpers.js";

let eg: TestEventGrid | undefined;
let hook: TestWebhook | undefined;

afterEach(async () => {
  await eg?.close();
  await hook?.close();
  eg = hook = undefined;
});

async function setUp(schema: "EventGridSchema" | "CloudEventSchemaV1_0", mode: TestWebhook["handshake"]) {
  hook = await startWebhook();
  hook.handshake = mode;
  eg = await startTestEventGrid({
    topics: [{ name: "shop", properties: { inputSchema: schema }, eventSubscriptions: [webhookSubscription("shop-hook", hook.url)] }],
  });
  const client = new EventGridPublisherClient(eg.endpoint("shop"), schema === "EventGridSchema" ? "EventGrid" : "CloudEvent", new AzureKeyCredential(eg.key("shop")), {
    allowInsecureConnection: true,
  });
  const publish = (id: string) =>
    schema === "EventGridSchema"
      ? client.send([{ id, eventType: "Shop.Sold", subject: "s", dataVersion: "1", data: {} }] as never)
      : client.send([{ id, type: "Shop.Sold", source: "/shop", data: {} }] as never);
  return { eg, hook, publish, state: () => eg!.eventGrid.subscriptionState("shop", "shop-hook")! };
}

describe("EventGrid schema validation handshake", () => {
  it("sends a SubscriptionValidation event and delivers once the code is echoed", async () => {
    const { eg, hook, publish, state } = await setUp("EventGridSchema", "grant");
    await publish("after-validation");
    await hook.waitForNotifications(1);
    const validation = hook.requests[0];
    expect(validation.headers["aeg-event-type"]).toBe("SubscriptionValidation");
    expect(validation.json[0].eventType).toBe("Microsoft.EventGrid.SubscriptionValidationEvent");
    expect(validation.json[0].data.validationCode).toMatch(/^[0-9a-f-]{36}$/);
    expect(validation.json[0].data.validationUrl).toContain(`${eg.baseUrl}/eventgrid/topics/shop/eventSubscriptions/shop-hook/validate?id=`);
    expect(state().provisioningState).toBe("Succeeded");
  });

  it("waits in AwaitingManualAction until the endpoint GETs the validation URL", async () => {
    const { eg, hook, publish, state } = await setUp("EventGridSchema", "manual");
    await publish("held");
    await eg.eventGrid.whenQuiet();
    expect(state().provisioningState).toBe("AwaitingManualAction");
    expect(state().counts.queued).toBe(1);
    expect(hook.notifications()).toHaveLength(0);

    const res = await fetch(hook.requests[0].json[0].data.validationUrl);
    expect(res.status).toBe(200);
    const [delivered] = await hook.waitForNotifications(1);
    expect(delivered.json[0].id).toBe("held");
    expect(state().provisioningState).toBe("Succeeded");
  });

  it("retries a refused validation on the clock while events wait", async () => {
    const { eg, hook, publish, state } = await setUp("EventGridSchema", "refuse");
    await publish("waiting");
    await eg.eventGrid.whenQuiet();
    expect(state().provisioningState).toBe("Failed");
    expect(state().validationError).toMatch(/403/);

    hook.handshake = "grant";
    eg.clock.advance(10_000);
    const [delivered] = await hook.waitForNotifications(1);
    expect(delivered.json[0].id).toBe("waiting");
  });
});

describe("CloudEvents abuse-protection handshake", () => {
  it("sends OPTIONS with WebHook-Request-Origin and delivers once the origin is allowed", async () => {
    const { hook, publish } = await setUp("CloudEventSchemaV1_0", "grant");
    await publish("ce-1");
    const [delivered] = await hook.waitForNotifications(1);
    expect(hook.requests[0].method).toBe("OPTIONS");
    expect(hook.requests[0].headers["webhook-request-origin"]).toBe("eventgrid.azure.net");
    expect(delivered.json.id).toBe("ce-1");
  });

  it("does not deliver to an endpoint that does not grant the origin", async () => {
    const { eg, hook, publish, state } = await setUp("CloudEventSchemaV1_0", "refuse");
    await publish("ce-2");
    await eg.eventGrid.whenQuiet();
    expect(state().provisioningState).toBe("Failed");
    expect(hook.notifications()).toHaveLength(0);
    hook.handshake = "grant";
    eg.clock.advance(10_000);
    await hook.waitForNotifications(1);
  });
});
