/**
 * Pointing a WebHook subscription at another endpoint at run time (ARM's PATCH of the subscription's destination):
 * the new endpoint is validated before it gets anything, queued events follow it, a Failed subscription comes back,
 * and only WebHooks can be moved.
 */
import { AzureKeyCredential, EventGridPublisherClient } from "@azure/eventgrid";
import { afterEach, describe, expect, it } from "vitest";
import { startTestEventGrid, startWebhook, type TestEventGrid, type TestWebhook, webhookSubscription } from "./helpers.js";
import { emulatorAuthorizationHeader } from "../../../emulator/servicebus/sas-token.js";

let eg: TestEventGrid | undefined;
const hooks: TestWebhook[] = [];

afterEach(async () => {
  await eg?.close();
  await Promise.all(hooks.splice(0).map((h) => h.close()));
  eg = undefined;
});

const patch = (url: string, body: unknown) => {
  const headers = { "content-type": "application/json", ...emulatorAuthorizationHeader(url) };
  return fetch(url, { method: "PATCH", headers, body: JSON.stringify(body) });
};
const webhookBody = (endpointUrl: string) => ({ properties: { destination: { endpointType: "WebHook", properties: { endpointUrl } } } });

describe("updating a WebHook subscription's endpoint", () => {
  it("validates the new endpoint (CloudEvents OPTIONS) and delivers there, events queued before included", async () => {
    const dead = "http://127.0.0.1:9/nothing-listens-here";
    eg = await startTestEventGrid({ topics: [{ name: "shop", properties: { inputSchema: "CloudEventSchemaV1_0" }, eventSubscriptions: [webhookSubscription("shop-hook", dead)] }] });
    const client = new EventGridPublisherClient(eg.endpoint("shop"), "CloudEvent", new AzureKeyCredential(eg.key("shop")), { allowInsecureConnection: true });
    await client.send([{ id: "before", type: "Shop.Sold", source: "/shop", data: {} }]);
    await eg.eventGrid.whenQuiet("shop", "shop-hook");
    // Nothing listens there: the emulator keeps the subscription Creating and waits for the endpoint.
    const waiting = { provisioningState: "Creating", counts: { delivered: 0 } };
    expect(eg.eventGrid.subscriptionState("shop", "shop-hook")).toMatchObject(waiting);

    const hook = await startWebhook();
    hooks.push(hook);
    const res = await patch(`${eg.baseUrl}/eventgrid/topics/shop/eventSubscriptions/shop-hook`, webhookBody(hook.url));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ name: "shop-hook", destination: `WebHook ${hook.url}` });
    await client.send([{ id: "after", type: "Shop.Sold", source: "/shop", data: {} }]);
    const got = await hook.waitForNotifications(2);
    expect(hook.requests[0].method).toBe("OPTIONS");
    expect(got.map((r) => r.json.id).sort()).toEqual(["after", "before"]);
    expect(eg.eventGrid.subscriptionState("shop", "shop-hook")).toMatchObject({ provisioningState: "Succeeded", validationError: undefined });
  });

  it("validates a Failed subscription again once its endpoint is updated, and delivers what comes after", async () => {
    const refusing = await startWebhook();
    refusing.handshake = "refuse";
    hooks.push(refusing);
    eg = await startTestEventGrid({
      topics: [{ name: "shop", eventSubscriptions: [webhookSubscription("shop-hook", refusing.url)] }],
    });
    const key = new AzureKeyCredential(eg.key("shop"));
    const options = { allowInsecureConnection: true };
    const client = new EventGridPublisherClient(eg.endpoint("shop"), "EventGrid", key, options);
    const sold = (id: string) => ({ id, eventType: "Shop.Sold", subject: "s", dataVersion: "1", data: {} });
    await client.send([sold("while-failed")]);
    await eg.eventGrid.whenQuiet("shop", "shop-hook");
    const failed = { provisioningState: "Failed", counts: { dropped: 1 } };
    expect(eg.eventGrid.subscriptionState("shop", "shop-hook")).toMatchObject(failed);

    const hook = await startWebhook();
    hooks.push(hook);
    const res = await patch(`${eg.baseUrl}/eventgrid/topics/shop/eventSubscriptions/shop-hook`, webhookBody(hook.url));
    expect(res.status).toBe(200);
    await eg.eventGrid.whenQuiet("shop", "shop-hook");
    expect(eg.eventGrid.subscriptionState("shop", "shop-hook")?.provisioningState).toBe("Succeeded");
    await client.send([sold("after-update")]);
    const [got] = await hook.waitForNotifications(1);
    expect(got.json[0].id).toBe("after-update");
  });

  it("refuses unknown subscriptions, other destination types and bad URLs, changing nothing", async () => {
    const hook = await startWebhook();
    hooks.push(hook);
    eg = await startTestEventGrid({
      functionApps: { app: "http://127.0.0.1:1" },
      topics: [
        {
          name: "shop",
          eventSubscriptions: [
            webhookSubscription("shop-hook", hook.url),
            { name: "to-function", properties: { destination: { endpointType: "AzureFunction", properties: { resourceId: "/subscriptions/x/resourceGroups/y/providers/Microsoft.Web/sites/app/functions/f" } } } },
          ],
        },
      ],
    });
    const base = `${eg.baseUrl}/eventgrid/topics/shop/eventSubscriptions`;
    expect((await patch(`${base}/nope`, webhookBody(hook.url))).status).toBe(404);
    const fn = await patch(`${base}/to-function`, webhookBody(hook.url));
    expect(fn.status).toBe(400);
    expect(((await fn.json()) as { error: { message: string } }).error.message).toMatch(/AzureFunction/);
    expect((await patch(`${base}/shop-hook`, webhookBody("ftp://example.com"))).status).toBe(400);
    expect((await patch(`${base}/shop-hook`, { properties: {} })).status).toBe(400);
    expect(eg.eventGrid.subscriptionState("shop", "shop-hook")?.destination).toBe(`WebHook ${hook.url}`);
  });
});
