/**
 * The publish size limits at their edges. Microsoft's docs say 1 MB per event and 1 MB per request; the service
 * enforces 1,536,000 bytes per request (its own 413 message says "The maximum size (1536000) has been exceeded.", as
 * reported in Azure/azure-functions-dotnet-worker#538 and Azure/azure-sdk-for-net#28657, and measured against Azure
 * in pm7y/AzureEventGridSimulator#201). The emulator answers as the service does, and warns about a request over the
 * documented 1 MB, which Azure could start refusing without notice.
 */
import { AzureKeyCredential, EventGridPublisherClient } from "@azure/eventgrid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEventGrid, type TestEventGrid } from "./helpers.js";

let eg: TestEventGrid;
const logLines: string[] = [];

beforeAll(async () => {
  eg = await startTestEventGrid({ topics: [{ name: "orders" }] }, { logLines });
});

afterAll(async () => {
  await eg?.close();
});

/** Two events whose JSON array is exactly `bytes` long (each event stays under the per-event limit). */
function batchOf(bytes: number): string {
  const eventTime = new Date().toISOString();
  const event = (id: string, pad: string) =>
    JSON.stringify({ id, eventType: "x", subject: "y", eventTime, dataVersion: "1", data: { pad } });
  const empty = `[${event("a", "")},${event("b", "")}]`.length;
  const fill = bytes - empty;
  const body = `[${event("a", "p".repeat(Math.floor(fill / 2)))},${event("b", "p".repeat(Math.ceil(fill / 2)))}]`;
  expect(Buffer.byteLength(body)).toBe(bytes);
  return body;
}

async function post(body: string) {
  const res = await fetch(`${eg.endpoint("orders")}?api-version=2018-01-01`, {
    method: "POST",
    headers: { "content-type": "application/json", "aeg-sas-key": eg.key("orders") },
    body,
  });
  return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
}

describe("publish size limits", () => {
  it("accepts a request of exactly 1,536,000 bytes, as Azure does", async () => {
    expect((await post(batchOf(1_536_000))).status).toBe(200);
  });

  it("refuses 1,536,001 bytes with 413 and Azure's message", async () => {
    const res = await post(batchOf(1_536_001));
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe("RequestEntityTooLarge");
    expect(res.body.error.message).toBe("The maximum size (1536000) has been exceeded.");
  });

  it("accepts a 1.2 MB batch from the SDK and warns that it is over the documented 1 MB", async () => {
    logLines.length = 0;
    const key = new AzureKeyCredential(eg.key("orders"));
    const client = new EventGridPublisherClient(eg.endpoint("orders"), "EventGrid", key, {
      allowInsecureConnection: true,
      retryOptions: { maxRetries: 0 },
    });
    const pad = "z".repeat(600_000);
    await client.send([
      { eventType: "x", subject: "y", dataVersion: "1", data: { pad } },
      { eventType: "x", subject: "y", dataVersion: "1", data: { pad } },
    ]);
    expect(logLines.some((l) => l.includes("WARN") && l.includes("documented 1 MB"))).toBe(true);

    logLines.length = 0;
    await client.send([{ eventType: "x", subject: "y", dataVersion: "1", data: { small: true } }]);
    expect(logLines.filter((l) => l.includes("documented 1 MB"))).toEqual([]);
  });
});
