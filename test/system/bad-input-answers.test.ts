/**
 * Bad input a new user tries, each answered at once with what is wrong, as a client developer would check it: an
 * id that cannot exist in a path is 400 naming the parameter (not a 503 after seconds of retries), a body names
 * each wrong field with its rule (type, whole number, minimum, missing), a repeated purchase shows where it stands,
 * and the operations API says which key it wants.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedConcerts } from "../../scripts/local-system/seed-concerts.js";
import { concertBody, fan, TicketingClient } from "./purchase-client.js";
import { type SystemUnderTest, startSystemUnderTest } from "./system-under-test.js";

let sut: SystemUnderTest;
let api: TicketingClient;
let concertId: string;
beforeAll(async () => {
  sut = await startSystemUnderTest();
  api = new TicketingClient(sut);
  concertId = (await api.scheduleConcert()).concertId;
}, 60_000);
afterAll(() => sut?.close());

const problemType = "application/problem+json; charset=utf-8";
type FieldError = { name: string; pointer: string; detail: string };
const errorsOf = (res: { body: { errors?: FieldError[] } }) => Object.fromEntries((res.body.errors ?? []).map((e) => [e.name, e.detail]));

describe("ids that cannot exist", () => {
  it("answers 400 at once for an encoded slash in a fan id, on GET and on PUT", async () => {
    const started = Date.now();
    const get = await api.request("GET", "/api/fans/a%2Fb");
    const put = await api.request("PUT", "/api/fans/a%2Fb", { email: "a@example.com", name: "A" });
    expect(Date.now() - started).toBeLessThan(2_000);
    for (const res of [get, put]) {
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toBe(problemType);
      expect(res.headers.get("retry-after")).toBeNull();
      expect(res.body.errors).toEqual([{ name: "id", pointer: "", detail: "must not contain / \\ # ? or control characters" }]);
    }
  });

  it("answers 400 for such ids in the other paths and in a purchase body", async () => {
    for (const path of ["/api/purchases/a%2Fb", "/api/concerts/a%23b", "/api/concerts/a%5Cb/sales", "/api/fans/a%3Fb/purchases"]) {
      expect((await api.request("GET", path)).status, path).toBe(400);
    }
    const res = await api.placePurchase({ concertId: "a/b", fan: { ...fan(), id: "x#y" }, tier: "standard", quantity: 1 });
    expect(res.status).toBe(400);
    expect(Object.keys(errorsOf(res)).sort()).toEqual(["concertId", "fan.id"]);
  });
});

describe("a purchase body with the wrong values", () => {
  it("says per field what is wrong: type, whole number, minimum, missing", async () => {
    const fraction = await api.placePurchase({ concertId, fan: fan(), tier: "standard", quantity: 1.5 });
    expect(fraction.status).toBe(400);
    expect(fraction.body.errors).toEqual([{ name: "quantity", pointer: "#/quantity", detail: "must be a whole number (got a number with a fraction)" }]);
    const text = await api.placePurchase({ concertId, fan: fan(), tier: "standard", quantity: "2" });
    expect(errorsOf(text)).toEqual({ quantity: "must be a number (got a string)" });
    expect(errorsOf(await api.placePurchase({ concertId, fan: fan(), tier: "standard", quantity: 0 }))).toEqual({ quantity: "must be 1 or more" });
    expect(errorsOf(await api.placePurchase({ concertId, fan: fan(), tier: "gold", quantity: 1 }))).toEqual({ tier: 'must be one of "standard", "vip" (got "gold")' });
  });

  it("names the body itself when it is not an object, and lists every missing field of {}", async () => {
    const array = await api.placePurchase([{ concertId }] as never);
    expect(array.status).toBe(400);
    expect(array.body.errors).toEqual([{ name: "", pointer: "#", detail: "must be a JSON object (got an array)" }]);
    expect(array.body.detail).toBe("The body: must be a JSON object (got an array)");
    const empty = await api.placePurchase({});
    expect(errorsOf(empty)).toEqual({ concertId: "is required", fan: "is required (or fanId, for a registered fan)", tier: "is required", quantity: "is required" });
  });
});

describe("a purchase repeated with its Idempotency-Key", () => {
  it("answers where the purchase stands once it has an outcome: 303 to the purchase, which a client follows", async () => {
    const body = { concertId, fan: fan(), tier: "standard", quantity: 1 };
    const first = await api.placePurchase(body, { "idempotency-key": "repeat-1" });
    expect(first.status).toBe(202);
    await api.outcome(first.body.purchaseId);
    const raw = await fetch(`${sut.url}/api/purchases`, {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": "repeat-1" },
      body: JSON.stringify(body),
      redirect: "manual",
    });
    expect(raw.status).toBe(303);
    expect(raw.headers.get("location")).toBe(`/api/purchases/${first.body.purchaseId}?minVersion=2`);
    expect(await raw.json()).toMatchObject({ purchaseId: first.body.purchaseId, status: "completed" });
    // fetch (like browsers and most clients) follows the 303 with a GET: the purchase as GET answers it.
    const followed = await api.placePurchase(body, { "idempotency-key": "repeat-1" });
    expect(followed).toMatchObject({ status: 200, body: { purchaseId: first.body.purchaseId, status: "completed", version: 2 } });
  });
});

describe("the operations API without its key", () => {
  it("answers 401 problem+json naming the header and the app setting that holds the key", async () => {
    const res = await api.request("GET", "/api/ops/dead-letters?entity=commands/subscriptions/payments");
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toBe(problemType);
    expect(res.body).toMatchObject({ status: 401, title: "Unauthorized" });
    expect(res.body.detail).toContain("x-functions-key");
    expect(res.body.detail).toContain("host.function.");
    const key = sut.system.appSettings["host.function.local"];
    expect(key).toBeTruthy();
    const opened = await api.request("GET", "/api/ops/dead-letters?entity=commands/subscriptions/payments", undefined, { "x-functions-key": key });
    expect(opened.status).toBe(200);
  });
});

describe("concert dates", () => {
  it("refuses to schedule a concert in the past: 422 ConcertInThePast", async () => {
    const res = await api.request("POST", "/api/concerts", concertBody({ startsAt: "1999-12-31T20:00:00Z" }));
    expect(res).toMatchObject({ status: 422, body: { code: "ConcertInThePast" } });
    expect(errorsOf(res)).toEqual({ startsAt: expect.stringContaining("in the future") });
  });

  it("seeds npm start's concerts on sale today, and a restart a day later keeps them", async () => {
    const seeded = await seedConcerts(sut.url, 15_000);
    expect(seeded.map((c) => c.concertId)).toEqual(["opening-night", "closing-night"]);
    for (const c of seeded) expect(Date.parse(c.startsAt)).toBeGreaterThan(Date.now());
    const buy = await api.placePurchase({ concertId: "opening-night", fan: fan(), tier: "standard", quantity: 2 });
    expect(buy.status).toBe(202);
    const tomorrow = new Date(Date.now() + 86_400_000);
    const again = await seedConcerts(sut.url, 15_000, tomorrow);
    expect(again.map((c) => c.startsAt)).toEqual(seeded.map((c) => c.startsAt));
  });
});
