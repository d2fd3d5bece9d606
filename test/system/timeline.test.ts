/**
 * The purchase timeline end to end under the local host: one purchase, sent with the caller's traceparent and
 * correlation id, completes; GET /api/purchases/{id}/timeline then lists every hop of it in order (the request,
 * each command and event published, delivered and handled by its consumer, PurchaseCompleted through Event Grid to
 * notify-fan and through Service Bus to the e-mail service), all in the caller's trace and correlation.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fan, type Json, TicketingClient } from "./purchase-client.js";
import { type SystemUnderTest, startSystemUnderTest, until } from "./system-under-test.js";

let sut: SystemUnderTest;
let api: TicketingClient;
beforeAll(async () => {
  sut = await startSystemUnderTest();
  api = new TicketingClient(sut);
}, 60_000);
afterAll(() => sut?.close());

type Step = Partial<Record<"kind" | "name" | "by" | "system" | "destination", string>>;
const describeStep = (s: Step) => Object.values(s).join(" ");
const matches = (hop: Json, step: Step) => Object.entries(step).every(([k, v]) => hop[k] === v);

/** The index of each step in `hops`, each found after the one before it (undefined from the first missing one). */
function positions(hops: Json[], steps: Step[]): (number | undefined)[] {
  let from = 0;
  return steps.map((step) => {
    const i = hops.findIndex((h, j) => j >= from && matches(h, step));
    if (i < 0) {
      from = hops.length;
      return undefined;
    }
    from = i + 1;
    return i;
  });
}

const consumed = (name: string, by: string, destination: string): Step[] => [
  { kind: "delivered", name, by, destination },
  { kind: "handled", name, by },
];
const command = (name: string, by: string, handler: string, event: string): Step[] => [
  { kind: "published", name, system: "servicebus", destination: "commands", by },
  ...consumed(name, handler, `commands/${handler}`),
  { kind: "recorded", name: event, by: handler },
  { kind: "published", name: event, system: "servicebus", destination: "events", by: handler },
  ...consumed(event, "purchase-process", "events/purchase-process"),
];

describe("purchase timeline", () => {
  it("lists every hop of a completed purchase in order, in one trace and one correlation", async () => {
    const traceId = "0af7651916cd43dd8448eb211c80319c";
    const concert = await api.scheduleConcert();
    const res = await api.placePurchase(
      { concertId: concert.concertId, fan: fan(), tier: "standard", quantity: 1 },
      { "x-correlation-id": "corr-timeline-1", traceparent: `00-${traceId}-b7ad6b7169203331-01` },
    );
    expect(res.status).toBe(202);
    const { purchaseId } = res.body;
    expect((await api.outcome(purchaseId)).status).toBe("completed");

    const chain: Step[] = [
      { kind: "requested", name: "PlacePurchase", by: "POST /api/purchases" },
      { kind: "published", name: "PlacePurchase", system: "servicebus", destination: "commands", by: "POST /api/purchases" },
      ...consumed("PlacePurchase", "purchases", "commands/purchases"),
      { kind: "recorded", name: "PurchasePlaced", by: "purchases" },
      { kind: "published", name: "PurchasePlaced", system: "servicebus", destination: "events", by: "purchases" },
      ...consumed("PurchasePlaced", "purchase-process", "events/purchase-process"),
      ...command("ReserveTickets", "purchase-process", "concerts", "TicketsReserved"),
      ...command("CapturePayment", "purchase-process", "payments", "PaymentCaptured"),
      ...command("IssueTickets", "purchase-process", "ticketing-provider", "TicketsIssued"),
      { kind: "published", name: "CompletePurchase", system: "servicebus", destination: "commands", by: "purchase-process" },
      ...consumed("CompletePurchase", "purchases", "commands/purchases"),
      { kind: "recorded", name: "PurchaseCompleted", by: "purchases" },
      { kind: "published", name: "PurchaseCompleted", system: "eventgrid", destination: "musicfest-events", by: "purchases" },
      ...consumed("PurchaseCompleted", "notify-fan", "musicfest-events/notify-fan"),
    ];
    const branches: Step[][] = [
      [{ kind: "recorded", name: "PurchasePlaced" }, { kind: "published", name: "PurchasePlaced", system: "kafka", destination: "festival-events" }],
      [{ kind: "recorded", name: "PurchaseCompleted" }, { kind: "published", name: "PurchaseCompleted", system: "servicebus", destination: "events" }, ...consumed("PurchaseCompleted", "email", "events/email")],
    ];
    // Hops are written a few milliseconds after they happen: wait until the last ones are in.
    const timeline = await until(
      () => api.request("GET", `/api/purchases/${purchaseId}/timeline`, undefined, { "x-correlation-id": "look-1" }),
      (t) => t.status === 200 && [chain, ...branches].every((steps) => positions(t.body.hops, steps).every((p) => p !== undefined)),
      20_000,
    ).catch(async (err: unknown) => {
      const last = await api.request("GET", `/api/purchases/${purchaseId}/timeline`);
      const hops = (last.body.hops ?? []) as Json[];
      const missing = [chain, ...branches].flatMap((steps) => steps.filter((_, i) => positions(hops, steps)[i] === undefined).slice(0, 1).map(describeStep));
      throw new Error(`timeline incomplete; first missing: ${missing.join("; ")}\n${hops.map((h) => `${h.kind} ${h.name} ${h.by ?? ""} ${h.destination ?? ""}`).join("\n")}`, { cause: err });
    });
    expect(timeline.headers.get("x-correlation-id")).toBe("look-1");
    const { hops, events } = timeline.body as { hops: Json[]; events: Json[] };

    // Every message of the purchase: one correlation id, the caller's trace.
    expect(timeline.body.correlationIds).toEqual(["corr-timeline-1"]);
    expect(timeline.body.traceIds).toEqual([traceId]);
    expect(new Set(hops.map((h) => h.traceId))).toEqual(new Set([traceId]));
    // Each hop has its own span (the producer's and each consumer's).
    expect(new Set(hops.filter((h) => h.kind === "delivered").map((h) => h.spanId)).size).toBe(hops.filter((h) => h.kind === "delivered").length);

    // First deliveries, nothing failed, times in order.
    expect(hops.filter((h) => h.kind === "failed")).toEqual([]);
    expect(hops.filter((h) => h.kind === "delivered" && h.system === "servicebus").every((h) => h.deliveryCount >= 1)).toBe(true);
    const times = hops.map((h) => Date.parse(h.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));

    // The events of the purchase's streams, in order, each also a recorded hop.
    expect(events.filter((e) => e.streamId === `purchase-${purchaseId}`).map((e) => e.name)).toEqual(["PurchasePlaced", "PurchaseCompleted"]);
    for (const e of events) expect(hops.some((h) => h.kind === "recorded" && h.messageId === e.id)).toBe(true);

    // Unknown purchase: 404 problem.
    const unknown = await api.request("GET", "/api/purchases/no-such-purchase/timeline");
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: "PurchaseNotFound" });
  });
});
