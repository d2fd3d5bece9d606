/**
 * Durable mode: events waiting for delivery are kept in the data directory, so a restarted emulator delivers what was
 * not delivered yet, and nothing that was.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { AzureKeyCredential, EventGridPublisherClient } from "@azure/eventgrid";
import { afterEach, expect, it } from "vitest";
import { startTestEventGrid, startWebhook, type TestEventGrid, type TestWebhook, webhookSubscription } from "./helpers.js";

let eg: TestEventGrid | undefined;
let hook: TestWebhook | undefined;
let dataDir: string | undefined;

afterEach(async () => {
  await eg?.close();
  await hook?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  eg = hook = dataDir = undefined;
});

it("re-delivers pending events after a restart with the same data directory", async () => {
  hook = await startWebhook();
  dataDir = await mkdtemp(path.join(os.tmpdir(), "eg-durable-"));
  const config = { topics: [{ name: "durable", eventSubscriptions: [webhookSubscription("durable-hook", hook.url)] }] };
  hook.respondWith((r) => (r.json[0].id === "delivered-before" ? undefined : { status: 500 }));

  eg = await startTestEventGrid(config, { dataDir });
  const publish = (ids: string[]) =>
    new EventGridPublisherClient(eg!.endpoint("durable"), "EventGrid", new AzureKeyCredential(eg!.key("durable")), { allowInsecureConnection: true }).send(
      ids.map((id) => ({ id, eventType: "Durable.Thing", subject: id, dataVersion: "1", data: { id } })),
    );
  await publish(["delivered-before", "pending-1", "pending-2"]);
  await eg.eventGrid.whenQuiet();
  expect(eg.eventGrid.subscriptionState("durable", "durable-hook")!.counts).toMatchObject({ delivered: 1, retrying: 2 });
  await eg.close();

  hook.respondWith(() => undefined);
  const before = hook.notifications().length;
  eg = await startTestEventGrid(config, { dataDir });
  await eg.eventGrid.whenIdle();
  const redelivered = hook
    .notifications()
    .slice(before)
    .map((r) => r.json[0].id)
    .sort();
  expect(redelivered).toEqual(["pending-1", "pending-2"]);
});
