/**
 * Concert dates at the API, on an in-memory event store with the concerts handler behind the command bus and the
 * API's clock set by the test: a concert is scheduled for a time to come (422 ConcertInThePast otherwise), and its
 * tickets are sold until it starts (409 ConcertAlreadyStarted after).
 */
import { describe, expect, it } from "vitest";
import { handleConcertCommand } from "../../../src/commands/concerts-handler.js";
import { InMemoryEventStore } from "../../../src/eventstore/in-memory-event-store.js";
import type { ApiDeps } from "../../../src/http/api-deps.js";
import { postConcert } from "../../../src/http/concert-endpoints.js";
import { postPurchase } from "../../../src/http/purchase-endpoints.js";

function request(url: string, body: unknown) {
  const init = { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
  return Object.assign(new Request(`http://localhost${url}`, init), { params: {} });
}

function api(clock: { now: Date }): ApiDeps {
  const store = new InMemoryEventStore();
  return {
    store,
    now: () => clock.now,
    commands: {
      send: async (messages) => {
        for (const m of messages) if (m.message.type.includes(".Concerts.")) await handleConcertCommand(m.message, { store });
      },
    },
  };
}

const startsAt = "2030-07-01T20:00:00.000Z";
const concert = { concertId: "night-owls", name: "Night Owls", venue: "Main Stage", startsAt, capacity: { standard: 5, vip: 2 }, prices: { standard: 5000, vip: 15000 } };
const purchase = { concertId: "night-owls", fan: { id: "fan-1", email: "ada@example.com" }, tier: "standard", quantity: 1 };
const body = (res: { response: { body?: string } }) => JSON.parse(res.response.body ?? "{}");

describe("concert dates", () => {
  it("refuses to schedule a concert that does not start in the future: 422 ConcertInThePast naming startsAt", async () => {
    const clock = { now: new Date("2030-01-01T00:00:00Z") };
    const deps = api(clock);
    for (const past of ["1999-12-31T20:00:00Z", "2030-01-01T00:00:00Z"]) {
      const res = await postConcert(request("/api/concerts", { ...concert, startsAt: past }), deps);
      expect(res.response.status).toBe(422);
      expect(res.response.headers["content-type"]).toBe("application/problem+json; charset=utf-8");
      expect(body(res)).toMatchObject({ code: "ConcertInThePast", errors: [{ name: "startsAt", pointer: "#/startsAt" }] });
    }
    expect((await postConcert(request("/api/concerts", concert), deps)).response.status).toBe(202);
  });

  it("sells tickets until the concert starts, then refuses with 409 ConcertAlreadyStarted", async () => {
    const clock = { now: new Date("2030-06-01T00:00:00Z") };
    const deps = api(clock);
    expect((await postConcert(request("/api/concerts", concert), deps)).response.status).toBe(202);
    expect((await postPurchase(request("/api/purchases", purchase), deps)).response.status).toBe(202);
    clock.now = new Date(startsAt);
    const late = await postPurchase(request("/api/purchases", purchase), deps);
    expect(late.response.status).toBe(409);
    expect(body(late)).toMatchObject({ code: "ConcertAlreadyStarted", status: 409 });
    expect(body(late).detail).toContain(startsAt);
  });
});
