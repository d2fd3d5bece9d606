import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFixtureHost, type FixtureHost } from "./start-fixture-host.js";

// The fixture calls app.setup({ enableHttpStream: true }) when this setting is on, as the azd TypeScript template does.
let host: FixtureHost;
beforeAll(async () => {
  host = await startFixtureHost({ env: { FIXTURE_HTTP_STREAM: "true" } });
});
afterAll(() => host?.close());

const call = (path: string, init?: RequestInit) => fetch(`${host.url}${path}`, init);

describe("HTTP trigger with enableHttpStream", () => {
  it("reports that the app asked for streaming", () => {
    expect(host.httpStreaming).toBe(true);
  });

  it("streams a large request body through the library's proxy and back", async () => {
    const bytes = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31) % 251;
    const res = await call("/api/echo", { method: "POST", body: bytes, headers: { "content-type": "application/x-test" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/x-test");
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it("gives the function route parameters, query and headers, and returns its status, headers and cookies", async () => {
    const products = await call("/api/products/music/3?sort=desc");
    expect(await products.json()).toEqual({ category: "music", id: "3", sort: "desc" });

    const created = await call("/api/orders", { method: "POST", body: '{"seats":1}', headers: { "x-functions-key": "fixture-orders-key" } });
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toBe("/api/orders/42");
    expect(created.headers.get("set-cookie")).toContain("session=abc%20123");
    expect(((await created.json()) as { received: unknown }).received).toEqual({ seats: 1 });
  });

  it("keeps auth, 404 and 500 behaviour", async () => {
    expect((await call("/api/orders", { method: "POST", body: "{}" })).status).toBe(401);
    expect((await call("/api/missing")).status).toBe(404);
    expect((await call("/api/boom")).status).toBe(500);
    expect(await (await call("/api/hello?name=stream")).text()).toBe("Hello, stream!");
  });
});
