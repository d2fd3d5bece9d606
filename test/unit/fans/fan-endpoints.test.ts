/**
 * The fans API and the purchase API's `fanId` on an in-memory event store, with a command bus that hands each command
 * to its real handler (the fans service's), so what the API answers follows what the handler did.
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "../../../src/docs/openapi.js";
import { handleConcertCommand } from "../../../src/commands/concerts-handler.js";
import type { OutboxMessage } from "../../../src/eventstore/event-store.js";
import { InMemoryEventStore } from "../../../src/eventstore/in-memory-event-store.js";
import { getFan, postFan, putFan } from "../../../src/fans/fan-endpoints.js";
import { handleFanCommand } from "../../../src/fans/fans-handler.js";
import type { FanReplicaReader, ReplicatedFan } from "../../../src/fans/replica/fan-replica.js";
import type { ApiDeps } from "../../../src/http/api-deps.js";
import { postConcert } from "../../../src/http/concert-endpoints.js";
import { postPurchase } from "../../../src/http/purchase-endpoints.js";
import { FUTURE_START } from "../../helpers/future-start.js";

function request(url: string, init: { method?: string; body?: unknown; contentType?: string; params?: Record<string, string> } = {}) {
  const body = init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body);
  const headers: Record<string, string> = body === undefined ? {} : { "content-type": init.contentType ?? "application/json" };
  return Object.assign(new Request(`http://localhost${url}`, { method: init.method ?? (body === undefined ? "GET" : "POST"), headers, body }), { params: init.params ?? {} });
}

function api(replica?: FanReplicaReader) {
  const store = new InMemoryEventStore();
  const sent: OutboxMessage[] = [];
  const deps: ApiDeps = {
    store,
    ...(replica ? { fanReplica: replica } : {}),
    commands: {
      send: async (messages) => {
        for (const m of messages) {
          sent.push(m);
          if (m.message.type.includes(".Fans.")) await handleFanCommand(m.message, { store });
          else if (m.message.type.includes(".Concerts.")) await handleConcertCommand(m.message, { store });
        }
      },
    },
  };
  return { deps, sent };
}

const body = (res: { response: { body?: string } }) => JSON.parse(res.response.body ?? "{}");
const ada = { fanId: "ada", email: "ada@example.com", name: "Ada" };

describe("fans API", () => {
  it("registers (202 + Location), answers the profile, replaces it on PUT, and sends nothing for a repeat", async () => {
    const { deps, sent } = api();
    const registered = await postFan(request("/api/fans", { body: { ...ada, city: "Lisbon" } }), deps);
    expect(registered.response.status).toBe(202);
    expect(registered.response.headers.location).toBe("/api/fans/ada");
    expect(body(registered)).toEqual({ fanId: "ada", status: "registering", location: "/api/fans/ada" });
    const view = await getFan(request("/api/fans/ada", { params: { id: "ada" } }), deps);
    expect(view.response.status).toBe(200);
    expect(body(view)).toMatchObject({ fanId: "ada", email: "ada@example.com", name: "Ada", city: "Lisbon", version: 2 });

    const again = await postFan(request("/api/fans", { body: { ...ada, city: "Lisbon" } }), deps);
    expect(body(again).status).toBe("registered");
    expect(sent).toHaveLength(1);

    const put = await putFan(request("/api/fans/ada", { method: "PUT", body: { email: "ada@new.example.com", name: "Ada L." }, params: { id: "ada" } }), deps);
    expect(put.response.status).toBe(202);
    expect(body(put)).toEqual({ fanId: "ada", status: "updating", location: "/api/fans/ada" });
    const after = body(await getFan(request("/api/fans/ada", { params: { id: "ada" } }), deps));
    expect(after).toMatchObject({ email: "ada@new.example.com", name: "Ada L.", version: 3 });
    expect(after.city).toBeUndefined();
  });

  it("makes a fan id when none is given", async () => {
    const { deps } = api();
    const res = await postFan(request("/api/fans", { body: { email: "bo@example.com", name: "Bo" } }), deps);
    expect(res.response.status).toBe(202);
    expect(body(res).fanId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("refuses bad input with problem+json: 400 naming each field, 404 unknown fan, 409 another profile, 413, 415", async () => {
    const { deps, sent } = api();
    const invalid = await postFan(request("/api/fans", { body: { fanId: "Not A Slug", email: "nope", phone: "call me", extra: 1 } }), deps);
    expect(invalid.response.status).toBe(400);
    expect(invalid.response.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(body(invalid).errors.map((e: { name: string }) => e.name).sort()).toEqual(["email", "extra", "fanId", "name", "phone"]);

    const unknown = await putFan(request("/api/fans/ghost", { method: "PUT", body: { email: "g@example.com", name: "G" }, params: { id: "ghost" } }), deps);
    expect([unknown.response.status, body(unknown).code]).toEqual([404, "FanNotFound"]);
    const missing = await getFan(request("/api/fans/ghost", { params: { id: "ghost" } }), deps);
    expect([missing.response.status, body(missing).code]).toEqual([404, "FanNotFound"]);

    await postFan(request("/api/fans", { body: ada }), deps);
    const other = await postFan(request("/api/fans", { body: { ...ada, name: "Someone else" } }), deps);
    expect([other.response.status, body(other).code]).toEqual([409, "FanAlreadyRegistered"]);

    const tooLarge = await postFan(request("/api/fans", { body: { ...ada, name: "x".repeat(20_000) } }), deps);
    expect(tooLarge.response.status).toBe(413);
    const form = await postFan(request("/api/fans", { body: "email=a", contentType: "application/x-www-form-urlencoded" }), deps);
    expect(form.response.status).toBe(415);
    expect(sent).toHaveLength(1); // only the one valid registration
  });

  it("answers 503 and writes nothing when the command cannot be sent", async () => {
    const { deps } = api();
    const failing: ApiDeps = { ...deps, commands: { send: async () => Promise.reject(new Error("connection refused")) } };
    const res = await postFan(request("/api/fans", { body: ada }), failing);
    expect(res.response.status).toBe(503);
    expect((await getFan(request("/api/fans/ada", { params: { id: "ada" } }), deps)).response.status).toBe(404);
  });
});

describe("POST /api/purchases with a registered fan's id", () => {
  const copy: ReplicatedFan = { fanId: "ada", email: "ada@replica.example.com", name: "Ada", streamVersion: 3, eventId: "fan-ada:3", updatedAt: "2026-05-01T10:00:00.000Z" };
  const replica: FanReplicaReader = { get: async (fanId) => (fanId === "ada" ? copy : undefined) };
  const concert = { concertId: "night-owls", name: "Night Owls", venue: "Main Stage", startsAt: FUTURE_START, capacity: { standard: 5, vip: 2 }, prices: { standard: 5000, vip: 15000 } };

  it("puts the replica's details in PlacePurchase", async () => {
    const { deps, sent } = api(replica);
    await postConcert(request("/api/concerts", { body: concert }), deps);
    const res = await postPurchase(request("/api/purchases", { body: { concertId: "night-owls", fanId: "ada", tier: "vip", quantity: 1 } }), deps);
    expect(res.response.status).toBe(202);
    const place = sent.find((m) => m.message.type.includes("PlacePurchase"))!;
    expect((place.message.data as { fan: unknown }).fan).toEqual({ id: "ada", email: "ada@replica.example.com", name: "Ada" });
  });

  it("answers 404 FanNotFound for a fan the replica does not know, 400 for neither or both of fan and fanId", async () => {
    const { deps, sent } = api(replica);
    await postConcert(request("/api/concerts", { body: concert }), deps);
    const unknown = await postPurchase(request("/api/purchases", { body: { concertId: "night-owls", fanId: "ghost", tier: "vip", quantity: 1 } }), deps);
    expect([unknown.response.status, body(unknown).code]).toEqual([404, "FanNotFound"]);
    const neither = await postPurchase(request("/api/purchases", { body: { concertId: "night-owls", tier: "vip", quantity: 1 } }), deps);
    expect([neither.response.status, body(neither).errors.map((e: { name: string }) => e.name)]).toEqual([400, ["fan"]]);
    const both = await postPurchase(request("/api/purchases", { body: { concertId: "night-owls", fanId: "ada", fan: { id: "ada", email: "a@example.com" }, tier: "vip", quantity: 1 } }), deps);
    expect([both.response.status, body(both).errors.map((e: { name: string }) => e.name)]).toEqual([400, ["fanId"]]);
    expect(sent.filter((m) => m.message.type.includes("PlacePurchase"))).toEqual([]);
  });
});

describe("the fans API as the OpenAPI document describes it", () => {
  type Content = Record<string, { schema: { $ref: string } }>;
  type Doc = { paths: Record<string, Record<string, { responses: Record<string, { $ref?: string; content?: Content }> }>>; components: { responses: Record<string, { content?: Content }> } };
  const doc = buildOpenApiDocument("0.1.0") as unknown as Doc;
  const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
  const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true, validateSchema: false }));
  ajv.addSchema(doc, "openapi.json");

  function expectDocumented(method: string, path: string, response: { status: number; headers: Record<string, string>; body?: string }) {
    let documented: { $ref?: string; content?: Content } | undefined = doc.paths[path]?.[method]?.responses[String(response.status)];
    expect(documented, `${method} ${path} documents ${response.status}`).toBeDefined();
    if (documented!.$ref) documented = doc.components.responses[documented!.$ref.split("/").pop()!];
    const content = documented!.content?.[response.headers["content-type"].split(";")[0]];
    expect(content, `${method} ${path} ${response.status} content type`).toBeDefined();
    const validate = ajv.getSchema(`openapi.json${content!.schema.$ref}`)!;
    const ok = validate(JSON.parse(response.body ?? "null"));
    expect(ok ? [] : validate.errors!.map((e) => `${e.instancePath} ${e.message}`), `${method} ${path} ${response.status}`).toEqual([]);
  }

  it("answers what the document says, successes and problems alike", async () => {
    const { deps } = api();
    const checks: [string, string, () => Promise<{ response: { status: number; headers: Record<string, string>; body?: string } }>][] = [
      ["post", "/api/fans", () => postFan(request("/api/fans", { body: { ...ada, phone: "+351 912 345 678", city: "Lisbon" } }), deps)],
      ["get", "/api/fans/{id}", () => getFan(request("/api/fans/ada", { params: { id: "ada" } }), deps)],
      ["put", "/api/fans/{id}", () => putFan(request("/api/fans/ada", { method: "PUT", body: { email: "ada@new.example.com", name: "Ada" }, params: { id: "ada" } }), deps)],
      ["post", "/api/fans", () => postFan(request("/api/fans", { body: { ...ada, name: "Other" } }), deps)],
      ["post", "/api/fans", () => postFan(request("/api/fans", { body: { email: "x" } }), deps)],
      ["put", "/api/fans/{id}", () => putFan(request("/api/fans/ghost", { method: "PUT", body: { email: "g@example.com", name: "G" }, params: { id: "ghost" } }), deps)],
      ["get", "/api/fans/{id}", () => getFan(request("/api/fans/ghost", { params: { id: "ghost" } }), deps)],
    ];
    const statuses: number[] = [];
    for (const [method, path, call] of checks) {
      const { response } = await call(); // in order: each builds on the previous one
      statuses.push(response.status);
      expectDocumented(method, path, response);
    }
    expect(statuses).toEqual([202, 200, 202, 409, 400, 404, 404]);
  });
});
