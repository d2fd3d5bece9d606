/**
 * The emulator's HTTP port changes state only for a caller holding the namespace key, and never for a web page of
 * another site: purge, resubmit, reset, clock advance and webhook re-pointing answer 401 (problem+json saying what to
 * send) without a token or with one minted for another namespace, 403 to a foreign `Origin` (CORS preflights too),
 * and work with the key. Reading (health, listing, peek, the clock) stays open.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../../emulator/index.js";
import { emulatorAuthorizationHeader, sasAuthorization } from "../../emulator/servicebus/sas-token.js";
import { serviceBusClient, serviceBusConfig, startServiceBusEmulator } from "../helpers/servicebus.js";

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startServiceBusEmulator(serviceBusConfig([{ Name: "q1" }]));
});

afterAll(async () => {
  await emulator?.close();
});

const MUTATING: [string, string, object | undefined][] = [
  ["POST", "/emulator/servicebus/entities/q1/purge", undefined],
  ["POST", "/emulator/servicebus/entities/q1/deadletters/purge", undefined],
  ["POST", "/emulator/servicebus/entities/q1/resubmit", {}],
  ["POST", "/emulator/servicebus/reset", undefined],
  ["POST", "/emulator/clock/advance", { ms: 0 }],
  [
    "PATCH",
    "/eventgrid/topics/none/eventSubscriptions/none",
    { properties: { destination: { endpointType: "WebHook", properties: { endpointUrl: "http://127.0.0.1:1/" } } } },
  ],
];

type Headers = Record<string, string>;

function call(method: string, path: string, body: object | undefined, headers: Headers = {}): Promise<Response> {
  return fetch(`${emulator.http.url}${path}`, {
    method,
    headers: { ...(body ? { "content-type": "application/json" } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
}

const key = () => emulatorAuthorizationHeader(emulator.http.url);

describe("mutating endpoints on the HTTP port", () => {
  it.each(MUTATING)("%s %s without a token is 401 problem+json saying what to send", async (method, path, body) => {
    const res = await call(method, path, body);
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    const problem = (await res.json()) as { detail: string };
    expect(problem).toMatchObject({ status: 401, title: "The namespace key is required" });
    expect(problem.detail).toMatch(/MissingToken/);
    expect(problem.detail).toContain("Authorization: SharedAccessSignature");
    expect(problem.detail).toContain("HMAC-SHA256");
    expect(problem.detail).toContain("connection string the emulator prints");
  });

  it.each(MUTATING)("%s %s with another namespace's token is 401, though signed with the key", async (m, path, body) => {
    const other = sasAuthorization("sb://other.servicebus.windows.net/");
    const res = await call(m, path, body, { authorization: other });
    expect(res.status).toBe(401);
    const { detail } = (await res.json()) as { detail: string };
    expect(detail).toMatch(/InvalidAudience.*other\.servicebus\.windows\.net/);
  });

  it.each(MUTATING)("%s %s with a wrong key is 401", async (method, path, body) => {
    const wrongKey = { keyName: "RootManageSharedAccessKey", key: "not-the-key" };
    const wrong = sasAuthorization(`${emulator.http.url}/`, wrongKey);
    expect((await call(method, path, body, { authorization: wrong })).status).toBe(401);
  });

  it.each(MUTATING)("%s %s from a foreign Origin is 403, even with the key", async (method, path, body) => {
    const res = await call(method, path, body, { ...key(), origin: "https://evil.example" });
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(((await res.json()) as { detail: string }).detail).toContain("https://evil.example");
  });

  it.each(MUTATING)("%s %s refuses a foreign page's CORS preflight with 403", async (method, path) => {
    const preflight = { origin: "http://localhost:8080", "access-control-request-method": method };
    const res = await call("OPTIONS", path, undefined, preflight);
    expect(res.status).toBe(403);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("refuses a DNS-rebound name even when Origin and Host agree", async () => {
    const port = new URL(emulator.http.url).port;
    const rebound = { host: `rebound.example:${port}`, origin: `http://rebound.example:${port}` };
    const { status } = await rawPost("/emulator/servicebus/reset", rebound);
    expect(status).toBe(403);
  });

  it("works with the key, from a client outside a browser and from the emulator's own origin", async () => {
    const sender = serviceBusClient(emulator).createSender("q1");
    await sender.sendMessages([{ body: 1 }, { body: 2 }]);
    await sender.close();
    const purged = await call("POST", "/emulator/servicebus/entities/q1/purge", undefined, key());
    expect(purged.status).toBe(200);
    expect(await purged.json()).toMatchObject({ entity: "q1", purged: 2 });
    const ownOrigin = { ...key(), origin: new URL(emulator.http.url).origin };
    const own = await call("POST", "/emulator/clock/advance", { ms: 1000 }, ownOrigin);
    expect(own.status).toBe(200);
    expect((await call("POST", "/emulator/servicebus/reset", undefined, key())).status).toBe(200);
    // The guard lets the request through to the route, which answers as before (an unknown topic is 404).
    expect((await call(...MUTATING[5], key())).status).toBe(404);
  });

  it("keeps reading open: health, entity listing, peek and the clock need no key", async () => {
    const entities = "/emulator/servicebus/entities";
    const reads = ["/health", entities, `${entities}/q1/messages`, "/emulator/clock"];
    for (const path of reads) {
      expect((await fetch(`${emulator.http.url}${path}`)).status, path).toBe(200);
    }
  });

  it("refuses a token scoped to one entity: moving the clock or resetting is namespace-wide", async () => {
    const queueOnly = { authorization: sasAuthorization(`${emulator.http.url}/q1`) };
    const res = await call("POST", "/emulator/servicebus/reset", undefined, queueOnly);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/InvalidAudience/);
  });

  it("refuses a foreign Origin on the Service Bus administration API too", async () => {
    const authorization = sasAuthorization(`${emulator.http.url}/q1`);
    const url = `${emulator.http.url}/q1?api-version=2021-05`;
    const foreign = { authorization, origin: "https://evil.example" };
    expect((await fetch(url, { method: "DELETE", headers: foreign })).status).toBe(403);
    expect((await fetch(url, { headers: { authorization } })).status).toBe(200);
  });
});

/** A POST with headers fetch will not let us set (Host). */
async function rawPost(path: string, headers: Record<string, string>): Promise<{ status: number }> {
  const http = await import("node:http");
  const { port } = new URL(emulator.http.url);
  return new Promise((resolve, reject) => {
    const all = { ...headers, ...key(), "content-length": 0 };
    const options = { host: "127.0.0.1", port, path, method: "POST", headers: all };
    const req = http.request(options, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0 });
    });
    req.on("error", reject);
    req.end();
  });
}
