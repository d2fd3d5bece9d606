import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFixtureHost, type FixtureHost } from "./start-fixture-host.js";

let host: FixtureHost;
beforeAll(async () => {
  host = await startFixtureHost();
});
afterAll(() => host?.close());

const call = (path: string, init?: RequestInit) => fetch(`${host.url}${path}`, init);

describe("HTTP trigger routes and methods", () => {
  it("lists the HTTP routes under the api prefix, without streaming", () => {
    expect(host.httpStreaming).toBe(false);
    expect(host.routes).toContainEqual({ name: "products", methods: "GET", url: `${host.url}/api/products/{category:alpha}/{id:int?}` });
    expect(host.routes).toContainEqual({ name: "hello", methods: "GET,POST", url: `${host.url}/api/hello` });
  });

  it("runs a function at /api/<name> with query and body, using a setting from local.settings.json", async () => {
    const get = await call("/api/hello?name=Ada");
    expect(get.status).toBe(200);
    expect(get.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await get.text()).toBe("Hello, Ada!");

    const post = await call("/api/hello", { method: "POST", body: "Grace" });
    expect(await post.text()).toBe("Hello, Grace!");
  });

  it("matches route templates with constraints and optional parameters", async () => {
    const full = await call("/api/products/books/12?sort=asc");
    expect(await full.json()).toEqual({ category: "books", id: "12", sort: "asc" });
    const optional = await call("/API/Products/books");
    expect(await optional.json()).toEqual({ category: "books", id: null, sort: null });
    expect((await call("/api/products/12")).status).toBe(404); // alpha constraint
    expect((await call("/api/products/books/twelve")).status).toBe(404); // int constraint
  });

  it("answers 404 with an empty body for an unknown route and for a method the function does not accept", async () => {
    const unknown = await call("/api/no-such-function");
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toBe("");
    expect((await call("/api/products/books", { method: "DELETE" })).status).toBe(404);
    expect((await call("/hello")).status).toBe(404); // the route prefix from host.json is required
  });

  it("does not route to a function disabled by AzureWebJobs.<name>.Disabled", async () => {
    expect(host.functions.find((f) => f.name === "disabled-fn")?.disabled).toBe(true);
    expect((await call("/api/disabled-fn")).status).toBe(404);
  });

  it("runs a disabled function for the master key only, as Azure does (any other key: 404)", async () => {
    const master = await call("/api/disabled-fn", { headers: { "x-functions-key": "fixture-master-key" } });
    expect([master.status, await master.text()]).toEqual([200, "disabled: runs for the master key only"]);
    expect((await call("/api/disabled-fn?code=fixture-host-key")).status).toBe(404);
    expect(host.routes.map((r) => r.name)).not.toContain("disabled-fn");
  });
});

describe("authLevel and function keys", () => {
  const order = JSON.stringify({ concert: "c-1", seats: 2 });

  it("refuses a function-level function without a key or with a wrong key (401)", async () => {
    const none = await call("/api/orders", { method: "POST", body: order });
    expect(none.status).toBe(401);
    const wrong = await call("/api/orders?code=nope", { method: "POST", body: order });
    expect(wrong.status).toBe(401);
    const otherFunctionsKey = await call("/api/orders/7", { headers: { "x-functions-key": "fixture-orders-key" } });
    expect(otherFunctionsKey.status).toBe(401);
  });

  it("accepts the function's own key, a host key and the master key, in the header or the code query", async () => {
    const own = await call("/api/orders", { method: "POST", body: order, headers: { "x-functions-key": "fixture-orders-key" } });
    expect(own.status).toBe(201);
    const hostKey = await call("/api/orders/7?code=fixture-host-key");
    expect(await hostKey.json()).toEqual({ id: "7" });
    const master = await call("/api/orders/8", { headers: { "x-functions-key": "fixture-master-key" } });
    expect(master.status).toBe(200);
  });

  it("opens an admin-level function with the master key only", async () => {
    expect((await call("/api/admin-area?code=fixture-host-key")).status).toBe(401);
    const ok = await call("/api/admin-area?code=fixture-master-key");
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("admin only");
  });
});

describe("requests and responses through the library's invocation model", () => {
  it("returns status, JSON body, headers and cookies set by the function", async () => {
    const res = await call("/api/orders", { method: "POST", body: JSON.stringify({ seats: 2 }), headers: { "x-functions-key": "fixture-host-key" } });
    expect(res.status).toBe(201);
    expect(res.headers.get("location")).toBe("/api/orders/42");
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("set-cookie")).toBe("session=abc%20123; Path=/; HttpOnly; SameSite=Strict");
    const body = (await res.json()) as { received: unknown; invocationId: string };
    expect(body.received).toEqual({ seats: 2 });
    expect(body.invocationId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("hands bad JSON to the function unchanged, which answers 400", async () => {
    const res = await call("/api/orders", { method: "POST", body: '{"seats": 2', headers: { "x-functions-key": "fixture-host-key" } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "invalid JSON" });
  });

  it("answers 500 with an empty body when the function throws, and 204 when it returns nothing", async () => {
    const boom = await call("/api/boom");
    expect(boom.status).toBe(500);
    expect(await boom.text()).toBe("");
    expect((await call("/api/no-content")).status).toBe(204);
  });

  it("echoes a binary body byte for byte", async () => {
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 256));
    const res = await call("/api/echo", { method: "POST", body: bytes, headers: { "content-type": "application/octet-stream" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-echo-method")).toBe("POST");
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
  });
});

describe("hooks and the invocation log", () => {
  it("runs preInvocation and postInvocation hooks, which can replace the handler and the result", async () => {
    const res = await call("/api/hooked");
    expect(res.status).toBe(203);
    expect(await res.text()).toBe("replaced by preInvocation, then postInvocation");

    await call("/api/boom");
    const seen = (await (await call("/api/inspect")).json()) as { hooks: { hook: string; functionName: string; detail?: { hookData?: string; error?: string } }[]; appStart?: { ran: boolean } };
    expect(seen.appStart).toEqual({ ran: true });
    const boomPost = seen.hooks.filter((h) => h.functionName === "boom" && h.hook === "postInvocation").at(-1);
    expect(boomPost?.detail).toEqual({ hookData: "preInvocation", error: "Error: the function failed on purpose" });
  });

  it("records every invocation with function, trigger, duration, outcome and invocation id", async () => {
    const before = host.invocations.length;
    const next = host.nextInvocation("boom", before);
    await call("/api/boom");
    const record = await next;
    expect(record).toMatchObject({ functionName: "boom", trigger: "httpTrigger", outcome: "failed" });
    expect(record.error).toContain("the function failed on purpose");
    expect(record.durationMs).toBeGreaterThanOrEqual(0);
    expect(record.invocationId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
