import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEventGrid, type TestEventGrid } from "../eventgrid/helpers.js";
import { startFixtureHost, type FixtureHost } from "./start-fixture-host.js";

/** A free port for the host, known before the Event Grid config that points at it. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let eg: TestEventGrid;
let host: FixtureHost;
beforeAll(async () => {
  const port = await freePort();
  eg = await startTestEventGrid({
    functionApps: { "fixture-app": `http://127.0.0.1:${port}` },
    topics: [
      {
        name: "tickets",
        eventSubscriptions: [
          {
            name: "to-function",
            properties: {
              destination: {
                endpointType: "AzureFunction",
                properties: { resourceId: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Web/sites/fixture-app/functions/on-ticket-event" },
              },
            },
          },
        ],
      },
    ],
  });
  host = await startFixtureHost({ port, env: { EG_TOPIC_ENDPOINT: eg.endpoint("tickets"), EG_TOPIC_KEY: eg.key("tickets") } });
});
afterAll(async () => {
  await host?.close();
  await eg?.close();
});

describe("Event Grid output binding", () => {
  it("publishes with the real SDK to the emulator, which delivers to the Event Grid trigger of the same app", async () => {
    const delivered = host.nextInvocation("on-ticket-event");
    const res = await fetch(`${host.url}/api/publish-ticket-event`, { method: "POST", body: JSON.stringify({ id: "p-1", subject: "tickets/p-1" }) });
    expect(res.status).toBe(202);
    expect(await delivered).toMatchObject({ outcome: "succeeded" });
    const seen = (await (await fetch(`${host.url}/api/inspect`)).json()) as { events: { event: Record<string, unknown> }[] };
    expect(seen.events.map((e) => e.event)).toContainEqual(
      expect.objectContaining({ id: "p-1", subject: "tickets/p-1", eventType: "Tickets.Purchased", data: { purchaseId: "p-1" }, topic: expect.stringContaining("/topics/tickets") }),
    );
  });

  it("fails the invocation (500) when the topic refuses the event, so nothing is lost silently", async () => {
    const other = await startFixtureHost({ env: { EG_TOPIC_ENDPOINT: eg.endpoint("tickets"), EG_TOPIC_KEY: Buffer.from("wrong key").toString("base64") } });
    try {
      const failed = other.nextInvocation("publish-ticket-event");
      const res = await fetch(`${other.url}/api/publish-ticket-event`, { method: "POST", body: JSON.stringify({ id: "p-2", subject: "tickets/p-2" }) });
      expect(res.status).toBe(500);
      expect((await failed).outcome).toBe("failed");
    } finally {
      await other.close();
    }
  });
});
