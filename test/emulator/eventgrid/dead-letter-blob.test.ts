/**
 * Dead-lettering into a blob container of Azurite (started from the npm package), read back with @azure/storage-blob:
 * Azure's blob name and JSON records, for EventGrid and CloudEvents delivery schemas.
 */
import { AzureKeyCredential, EventGridPublisherClient } from "@azure/eventgrid";
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AzuriteInstance, startAzurite } from "../../helpers/azurite.js";
import { startTestEventGrid, startWebhook, type TestEventGrid, type TestWebhook, webhookSubscription } from "./helpers.js";

let azurite: AzuriteInstance;
let eg: TestEventGrid;
let hook: TestWebhook;

const deadLetterTo = (container: string) => ({
  deadLetterDestination: {
    endpointType: "StorageBlob",
    properties: { resourceId: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/devstoreaccount1", blobContainerName: container },
  },
  retryPolicy: { maxDeliveryAttempts: 1 },
});

beforeAll(async () => {
  [azurite, hook] = await Promise.all([startAzurite(), startWebhook()]);
  hook.respondWith(() => ({ status: 500 }));
  eg = await startTestEventGrid({
    storageAccounts: { devstoreaccount1: azurite.connectionString },
    topics: [
      { name: "eg-topic", eventSubscriptions: [webhookSubscription("eg-sub", hook.url, deadLetterTo("eg-deadletters"))] },
      { name: "ce-topic", properties: { inputSchema: "CloudEventSchemaV1_0" }, eventSubscriptions: [webhookSubscription("ce-sub", hook.url, deadLetterTo("ce-deadletters"))] },
    ],
  });
});

afterAll(async () => {
  await eg?.close();
  await hook?.close();
  await azurite?.close();
});

async function readBlobs(container: string): Promise<{ name: string; records: any[] }[]> {
  const client = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(container);
  const out: { name: string; records: any[] }[] = [];
  for await (const blob of client.listBlobsFlat()) {
    const buffer = await client.getBlobClient(blob.name).downloadToBuffer();
    out.push({ name: blob.name, records: JSON.parse(buffer.toString("utf8")) });
  }
  return out;
}

describe("dead-letter blobs in Azurite", () => {
  it("writes an EventGrid-schema dead-letter blob named <SUBSCRIPTION>/yyyy/M/d/H/<guid>.json", async () => {
    await new EventGridPublisherClient(eg.endpoint("eg-topic"), "EventGrid", new AzureKeyCredential(eg.key("eg-topic")), { allowInsecureConnection: true }).send([
      { id: "dead-1", eventType: "Order.Failed", subject: "orders/1", dataVersion: "1", data: { n: 1 } },
    ]);
    await eg.eventGrid.whenIdle();
    const blobs = await readBlobs("eg-deadletters");
    expect(blobs).toHaveLength(1);
    const now = new Date(eg.clock.now());
    expect(blobs[0].name).toMatch(new RegExp(`^EG-SUB/${now.getUTCFullYear()}/${now.getUTCMonth() + 1}/${now.getUTCDate()}/${now.getUTCHours()}/[0-9a-f-]{36}\\.json$`));
    expect(blobs[0].records[0]).toMatchObject({
      id: "dead-1",
      topic: eg.eventGrid.topics.find((t) => t.name === "eg-topic")!.id,
      deadLetterReason: "MaxDeliveryAttemptsExceeded",
      deliveryAttempts: 1,
      lastDeliveryOutcome: "GenericError",
      lastHttpStatusCode: 500,
      data: { n: 1 },
    });
    expect(blobs[0].records[0].publishTime).toMatch(/Z$/);
    expect(eg.eventGrid.subscriptionState("eg-topic", "eg-sub")!.deadLettered[0]).toMatchObject({ written: true, blobName: blobs[0].name });
  });

  it("merges lower-cased dead-letter fields into CloudEvents", async () => {
    await new EventGridPublisherClient(eg.endpoint("ce-topic"), "CloudEvent", new AzureKeyCredential(eg.key("ce-topic")), { allowInsecureConnection: true }).send([
      { id: "dead-ce", type: "Order.Failed", source: "/orders", data: { n: 2 } },
    ]);
    await eg.eventGrid.whenIdle();
    const [blob] = await readBlobs("ce-deadletters");
    expect(blob.records[0]).toMatchObject({
      id: "dead-ce",
      specversion: "1.0",
      deadletterreason: "MaxDeliveryAttemptsExceeded",
      deliveryattempts: 1,
      lastdeliveryoutcome: "GenericError",
      lasthttpstatuscode: 500,
      data: { n: 2 },
    });
  });
});
