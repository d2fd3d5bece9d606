/**
 * Endpoint validation before delivery: the EventGrid-schema SubscriptionValidation handshake (echoed code, and the
 * manual validation URL), the CloudEvents OPTIONS abuse-protection handshake, and, as in Azure, a refused handshake
 * or an unused validation URL failing the subscription for good (provisioningState Failed, nothing delivered); only
 * an endpoint that is not listening yet is tried again, since locally the emulator may start before the app.
 */
import { AzureKeyCredential, EventGridPublisherClient } from "@azure/eventgrid";
import { afterEach, describe, expect, it } from "vitest";
import {
  startTestEventGrid,
  startWebhook,
  startWebhookOn,
  type TestEventGrid,
  type TestWebhook,
  webhookSubscription,
} from "./helpers.js";

async function until(ready: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

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

  it("fails the subscription when the endpoint refuses validation: no retry, no delivery, events dropped", async () => {
    const { eg, hook, publish, state } = await setUp("EventGridSchema", "refuse");
    await publish("waiting");
    await eg.eventGrid.whenQuiet();
    expect(state().provisioningState).toBe("Failed");
    expect(state().validationError).toMatch(
      /^The attempt to validate the provided endpoint http:\/\/127\.0\.0\.1:\d+\/api\/events failed/,
    );
    expect(state().validationError).toMatch(/403/);

    // Azure does not try again: the subscription has to be created (here: updated) anew.
    hook.handshake = "grant";
    eg.clock.advance(24 * 3_600_000);
    await publish("after-failure");
    await eg.eventGrid.whenQuiet();
    expect(hook.requests.filter((r) => r.headers["aeg-event-type"] === "SubscriptionValidation")).toHaveLength(1);
    expect(hook.notifications()).toHaveLength(0);
    expect(state()).toMatchObject({ provisioningState: "Failed", counts: { queued: 0, delivered: 0, dropped: 2 } });
    expect(state().dropped.map((d) => d.eventId)).toEqual(["waiting", "after-failure"]);
    expect(state().dropped[0].reason).toBe("SubscriptionValidationFailed");

    // The subscription's state on the HTTP port says the same.
    const res = await fetch(`${eg.baseUrl}/eventgrid/topics/shop/eventSubscriptions/shop-hook`);
    expect(await res.json()).toMatchObject({ provisioningState: "Failed", validationError: state().validationError });
  });

  it("fails the subscription when the validation URL is not called within 5 minutes", async () => {
    const { eg, hook, publish, state } = await setUp("EventGridSchema", "manual");
    await publish("held");
    await eg.eventGrid.whenQuiet();
    expect(state().provisioningState).toBe("AwaitingManualAction");
    const validationUrl = hook.requests[0].json[0].data.validationUrl;

    eg.clock.advance(5 * 60_000);
    await eg.eventGrid.whenQuiet();
    expect(state().provisioningState).toBe("Failed");
    expect(state().validationError).toMatch(/did not GET the validation URL within 5 minutes/);
    eg.clock.advance(24 * 3_600_000);
    await eg.eventGrid.whenQuiet();
    expect(hook.requests).toHaveLength(1);
    expect((await fetch(validationUrl)).status).toBe(400);
    expect(hook.notifications()).toHaveLength(0);
    expect(state().counts).toMatchObject({ queued: 0, dropped: 1 });
  });

  it("waits for an endpoint that is not listening yet (local start order), then validates it", async () => {
    hook = await startWebhook();
    const url = hook.url;
    await hook.close();
    eg = await startTestEventGrid({
      topics: [{ name: "shop", eventSubscriptions: [webhookSubscription("shop-hook", url)] }],
    });
    const state = () => eg!.eventGrid.subscriptionState("shop", "shop-hook")!;
    await eg.eventGrid.whenQuiet();
    expect(state().provisioningState).toBe("Creating");
    expect(state().validationError).toMatch(/not reachable/);

    const port = Number(new URL(url).port);
    hook = await startWebhookOn(port);
    eg.clock.advance(10_000);
    await until(() => state().provisioningState === "Succeeded");
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

  it("fails the subscription when the endpoint does not grant the origin, without retrying", async () => {
    const { eg, hook, publish, state } = await setUp("CloudEventSchemaV1_0", "refuse");
    await publish("ce-2");
    await eg.eventGrid.whenQuiet();
    expect(state().provisioningState).toBe("Failed");
    expect(state().validationError).toMatch(/WebHook-Allowed-Origin/);
    hook.handshake = "grant";
    eg.clock.advance(24 * 3_600_000);
    await eg.eventGrid.whenQuiet();
    expect(hook.requests.filter((r) => r.method === "OPTIONS")).toHaveLength(1);
    expect(hook.notifications()).toHaveLength(0);
    expect(state().counts).toMatchObject({ queued: 0, dropped: 1 });
  });
});
