import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFixtureHost, type FixtureHost } from "./start-fixture-host.js";

let host: FixtureHost;
beforeAll(async () => {
  host = await startFixtureHost();
});
afterAll(() => host?.close());

const webhook = (functionName: string, eventType: string | undefined, body?: unknown, path = "/runtime/webhooks/eventgrid") =>
  fetch(`${host.url}${path}?functionName=${encodeURIComponent(functionName)}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(eventType ? { "aeg-event-type": eventType } : {}) },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });

const ticketEvent = (id: string, subject: string) => ({
  id,
  topic: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.EventGrid/topics/tickets",
  subject,
  eventType: "Tickets.Purchased",
  eventTime: "2026-01-02T03:04:05.1234567Z",
  data: { PurchaseId: id, Seats: 2 },
  dataVersion: "1.0",
  metadataVersion: "1",
});

async function seenEvents(): Promise<{ event: { id: string; eventTime: string }; triggerMetadata: Record<string, unknown> }[]> {
  return ((await (await fetch(`${host.url}/api/inspect`)).json()) as { events: never[] }).events;
}

describe("Event Grid trigger webhook", () => {
  it("answers the subscription validation handshake with the validation code", async () => {
    const res = await webhook("on-ticket-event", "SubscriptionValidation", [
      { id: "v1", eventType: "Microsoft.EventGrid.SubscriptionValidationEvent", subject: "", eventTime: "2026-01-01T00:00:00Z", data: { validationCode: "512d38b6-c7b8-40c8-89fe-f46f9e9622b6" }, dataVersion: "1", metadataVersion: "1" },
    ]);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ validationResponse: "512d38b6-c7b8-40c8-89fe-f46f9e9622b6" });
  });

  it("invokes the function once per event of a notification and answers 202", async () => {
    const before = (await seenEvents()).length;
    const res = await webhook("On-Ticket-Event", "Notification", [ticketEvent("e1", "orders/1"), ticketEvent("e2", "orders/2")], "/runtime/webhooks/EventGrid");
    expect(res.status).toBe(202);
    const events = (await seenEvents()).slice(before);
    expect(events.map((e) => e.event.id).sort()).toEqual(["e1", "e2"]);
    // The event reaches the handler as sent (eventTime kept verbatim); triggerMetadata.data is camel-cased like the host's.
    expect(events[0].event.eventTime).toBe("2026-01-02T03:04:05.1234567Z");
    expect(events[0].triggerMetadata.data).toMatchObject({ purchaseId: expect.stringMatching(/^e[12]$/), seats: 2 });
  });

  it("answers 500 when any invocation of the batch fails, so Event Grid retries it", async () => {
    const res = await webhook("on-ticket-event", "Notification", [ticketEvent("ok-1", "fine"), ticketEvent("bad-1", "fail")]);
    expect(res.status).toBe(500);
    expect(await res.text()).toContain("cannot handle event bad-1");
  });

  it("accepts Unsubscribe, refuses an unknown or missing aeg-event-type, and 404s an unknown function", async () => {
    expect((await webhook("on-ticket-event", "Unsubscribe", "")).status).toBe(202);
    expect((await webhook("on-ticket-event", "SubscriptionDeletion", "")).status).toBe(400);
    expect((await webhook("on-ticket-event", undefined, [ticketEvent("x", "y")])).status).toBe(400);
    const unknown = await webhook("nope", "Notification", [ticketEvent("x", "y")]);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toBe("cannot find function: 'nope'");
  });

  it("answers 400 to a notification whose body is not JSON, and stays up", async () => {
    expect((await webhook("on-ticket-event", "Notification", "{not json")).status).toBe(400);
    expect((await webhook("on-ticket-event", "Notification", ticketEvent("single", "one"))).status).toBe(202);
  });

  it("answers the CloudEvents abuse-protection handshake on OPTIONS", async () => {
    const res = await fetch(`${host.url}/runtime/webhooks/eventgrid?functionName=on-ticket-event`, {
      method: "OPTIONS",
      headers: { "webhook-request-origin": "eventgrid.azure.net" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("webhook-allowed-origin")).toBe("eventgrid.azure.net");
  });
});
