/**
 * Bad input end to end: every refusal is problem+json with the request's correlation id, names each invalid field,
 * and leaves nothing behind (no command sent, nothing in the event store). The last test stops the emulator's Service
 * Bus: a purchase that cannot be sent is 503, and nothing is written either.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { purchaseIdFor } from "../../src/http/idempotency-key.js";
import { fan, TicketingClient } from "./purchase-client.js";
import { type SystemUnderTest, startSystemUnderTest } from "./system-under-test.js";
import { LATER_START } from "../helpers/future-start.js";

let sut: SystemUnderTest;
let api: TicketingClient;
let concertId: string;
beforeAll(async () => {
  sut = await startSystemUnderTest();
  api = new TicketingClient(sut);
  concertId = (await api.scheduleConcert({ capacity: { standard: 3, vip: 0 } })).concertId;
}, 60_000);
afterAll(() => sut?.close());

const problemType = "application/problem+json; charset=utf-8";
const refusedIds: string[] = [];

/** POSTs a purchase under an Idempotency-Key, so the test knows the id a wrongly accepted purchase would have. */
async function attempt(body: unknown, headers: Record<string, string> = {}) {
  const key = `bad-${refusedIds.length}`;
  const fanId = (body as { fan?: { id?: unknown } } | null)?.fan?.id;
  if (typeof fanId === "string") refusedIds.push(purchaseIdFor(fanId, key));
  return api.request("POST", "/api/purchases", body, { "idempotency-key": key, "x-correlation-id": "corr-bad", ...headers });
}

describe("bad input", () => {
  it("answers 400 naming every invalid field, unknown ones included", async () => {
    const res = await attempt({ concertId: "", fan: { id: "fan-1", email: "not-an-email", nickname: "x" }, tier: "gold", quantity: 0, coupon: "FREE" });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe(problemType);
    expect(res.headers.get("x-correlation-id")).toBe("corr-bad");
    expect(res.body.errors.map((e: { name: string }) => e.name).sort()).toEqual(["concertId", "coupon", "fan.email", "fan.nickname", "quantity", "tier"]);
    expect(res.body.errors.find((e: { name: string }) => e.name === "fan.email")).toMatchObject({ pointer: "#/fan/email" });

    const missing = await attempt({ fan: fan() });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: "concertId", detail: "is required" }), expect.objectContaining({ name: "quantity", detail: "is required" })]),
    );
    expect((await attempt("{not json")).status).toBe(400);
    expect((await attempt({ concertId, fan: fan(), tier: "standard", quantity: 1 }, { "idempotency-key": "" })).body.errors[0].name).toBe("Idempotency-Key");

    const concert = await api.request("POST", "/api/concerts", { name: "", venue: "V", startsAt: "tomorrow", capacity: { standard: -1, vip: 1 }, prices: { standard: 1, vip: 1 }, concertId: "Bad Id" });
    expect(concert.status).toBe(400);
    expect(concert.body.errors.map((e: { name: string }) => e.name).sort()).toEqual(["capacity.standard", "concertId", "name", "startsAt"]);
  });

  it("answers 415 for a body that is not JSON and 413 for one over 64 KB", async () => {
    const text = await api.request("POST", "/api/purchases", undefined, { "content-type": "text/plain" });
    expect(text.status).toBe(415);
    const huge = await attempt({ concertId, fan: { ...fan(), name: "x".repeat(70 * 1024) }, tier: "standard", quantity: 1 });
    expect(huge.status).toBe(413);
    expect(huge.headers.get("content-type")).toBe(problemType);
  });

  it("answers 404 for unknown concerts and purchases, 409 when the tickets are not there", async () => {
    const unknown = await attempt({ concertId: "no-such-concert", fan: fan(), tier: "standard", quantity: 1 });
    expect(unknown).toMatchObject({ status: 404, body: { code: "ConcertNotFound", status: 404 } });
    expect((await api.purchase("00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await api.concert("no-such-concert")).status).toBe(404);

    const tooMany = await attempt({ concertId, fan: fan(), tier: "standard", quantity: 4 });
    expect(tooMany).toMatchObject({ status: 409, body: { code: "SoldOut", status: 409 } });
    const noVip = await attempt({ concertId, fan: fan(), tier: "vip", quantity: 1 });
    expect(noVip.status).toBe(409);

    const other = await api.request("POST", "/api/concerts", { concertId, name: "Another show", venue: "V", startsAt: LATER_START, capacity: { standard: 1, vip: 1 }, prices: { standard: 1, vip: 1 } });
    expect(other).toMatchObject({ status: 409, body: { code: "ConcertAlreadyScheduled" } });
  });

  it("left nothing behind: no command reached a handler, no stream was written, the concert is untouched", async () => {
    expect(refusedIds.length).toBeGreaterThan(5);
    for (const id of refusedIds) {
      expect(await api.rowsOfPurchase(id)).toEqual([]);
      expect((await api.purchase(id)).status).toBe(404);
    }
    expect(sut.invocations.filter((r) => r.functionName === "purchases")).toEqual([]);
    expect((await api.concert(concertId)).body.ticketsLeft).toEqual({ standard: 3, vip: 0 });
  });

  it("answers 503 when the command bus is down, and writes nothing", async () => {
    await sut.system.emulator.serviceBus.close();
    const buyer = fan();
    const res = await api.placePurchase({ concertId, fan: buyer, tier: "standard", quantity: 1 }, { "idempotency-key": "bus-down" });
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toBe(problemType);
    expect(res.headers.get("retry-after")).toBe("5");
    expect(await api.rowsOfPurchase(purchaseIdFor(buyer.id, "bus-down"))).toEqual([]);
  }, 60_000);
});
