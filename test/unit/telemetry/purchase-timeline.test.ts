/**
 * The timeline of a purchase from its streams and hops: order (time, then causation, then the hop's place in a
 * message's life), events the hop table lost, 404 for an unknown purchase, and the answer as documented.
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "../../../src/docs/openapi.js";
import { createMessage } from "../../../src/events/catalog.js";
import { InMemoryEventStore } from "../../../src/eventstore/in-memory-event-store.js";
import { type Hop, hopOf, factsOf, partitionOf, rowKeyOf } from "../../../src/timeline/hop.js";
import { InMemoryHopStore } from "../../../src/timeline/in-memory-hop-store.js";
import { buildTimeline } from "../../../src/timeline/purchase-timeline.js";
import { getPurchaseTimeline } from "../../../src/timeline/timeline-endpoint.js";

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const fan = { id: "fan-1", email: "ada@example.com" };
const trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const purchaseId = "p-1";
const place = createMessage("PlacePurchase", { purchaseId, concertId: "c-1", fan, tier: "vip", quantity: 1 }, { correlationId: "corr-1", traceparent: trace, id: "p-1:PlacePurchase" });
const placed = createMessage("PurchasePlaced", { purchaseId, concertId: "c-1", fan, tier: "vip", quantity: 1, unitPriceCents: 100, totalCents: 100, placedAt: "2026-01-01T00:00:00.000Z" }, { correlationId: "corr-1", causationId: place.id, traceparent: trace, id: "purchase-p-1:1", time: new Date("2026-01-01T00:00:00.010Z") });

const at = (ms: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, 0, ms));
let seq = 0;
const hop = (message: typeof place | typeof placed, kind: Hop["kind"], ms: number, fields: Partial<Hop> = {}): Hop => ({ ...hopOf(factsOf(message)!, kind, at(ms), fields), seq: ++seq, process: "a" });

describe("purchase timeline", () => {
  it("orders hops by time, then causation, then the hop's place in the message's life", () => {
    // Recorded out of order, several in one millisecond.
    const hops = [
      hop(placed, "published", 10, { system: "kafka" }),
      hop(placed, "recorded", 10, { streamId: "purchase-p-1", version: 1 }),
      hop(place, "handled", 10, { by: "purchases" }),
      hop(place, "delivered", 5, { by: "purchases", deliveryCount: 1 }),
      hop(place, "published", 2, { system: "servicebus" }),
      hop(place, "requested", 1, { by: "POST /api/purchases" }),
    ];
    const timeline = buildTimeline(purchaseId, [{ streamId: "purchase-p-1", version: 1, event: placed }], hops)!;
    expect(timeline.hops.map((h) => `${h.kind} ${h.name}`)).toEqual([
      "requested PlacePurchase",
      "published PlacePurchase",
      "delivered PlacePurchase",
      "handled PlacePurchase",
      "recorded PurchasePlaced",
      "published PurchasePlaced",
    ]);
    expect(timeline).toMatchObject({ purchaseId, correlationIds: ["corr-1"], events: [{ id: placed.id, name: "PurchasePlaced", streamId: "purchase-p-1", version: 1, causationId: place.id }] });
    expect(timeline.hops[0]).not.toHaveProperty("seq");
  });

  it("shows an event whose recorded hop was lost, from the event store", () => {
    const timeline = buildTimeline(purchaseId, [{ streamId: "purchase-p-1", version: 1, event: placed }], [])!;
    expect(timeline.hops).toEqual([expect.objectContaining({ kind: "recorded", messageId: placed.id, at: placed.time, streamId: "purchase-p-1", version: 1, traceId: "4bf92f3577b34da6a3ce929d0e0e4736" })]);
    expect(buildTimeline("nobody", [], [])).toBeUndefined();
  });

  it("keys hops by purchase (or correlation id), in time order, safely for Table Storage", () => {
    expect(partitionOf({ purchaseId: "a/b#c" })).toBe("purchase:a_b_c");
    expect(partitionOf({ correlationId: "corr-9" })).toBe("correlation:corr-9");
    const early = rowKeyOf({ at: at(9).toISOString(), seq: 11, process: "x" });
    const late = rowKeyOf({ at: at(10).toISOString(), seq: 2, process: "x" });
    expect(early < late).toBe(true);
    expect(rowKeyOf({ at: at(10).toISOString(), seq: 2, process: "y" })).not.toBe(late);
  });

  it("answers GET /api/purchases/{id}/timeline as the OpenAPI document says, 404 for an unknown purchase", async () => {
    const store = new InMemoryEventStore();
    await store.commit({ streamId: "purchase-p-1", expectedVersion: 0, events: [placed] });
    const hops = new InMemoryHopStore();
    hops.record([hop(place, "requested", 1, { by: "POST /api/purchases" })]);
    const request = (id: string) => Object.assign(new Request(`http://localhost/api/purchases/${id}/timeline`, { headers: { "x-correlation-id": "look-1" } }), { params: { id } });
    const ok = await getPurchaseTimeline(request(purchaseId), { store, hops });
    expect(ok.response.status).toBe(200);
    expect(ok.response.headers["x-correlation-id"]).toBe("look-1");
    const body = JSON.parse(ok.response.body!);
    expect(body.hops.map((h: Hop) => h.kind)).toEqual(["requested", "recorded"]);

    const doc = buildOpenApiDocument("0.1.0") as { components: { schemas: Record<string, unknown> } };
    const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));
    ajv.addSchema(doc, "openapi.json");
    const validate = ajv.getSchema("openapi.json#/components/schemas/PurchaseTimeline")!;
    expect(validate(body) ? [] : validate.errors).toEqual([]);

    const missing = await getPurchaseTimeline(request("nobody"), { store, hops });
    expect(missing.response.status).toBe(404);
    expect(JSON.parse(missing.response.body!)).toMatchObject({ code: "PurchaseNotFound", instance: "/api/purchases/nobody/timeline" });
  });
});
