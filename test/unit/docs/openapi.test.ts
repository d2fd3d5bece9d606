import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { validate as validateOpenApi } from "@readme/openapi-parser";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { describe, expect, it } from "vitest";
import { handleConcertCommand } from "../../../src/commands/concerts-handler.js";
import { handlePurchaseCommand } from "../../../src/commands/purchases-handler.js";
import { handleDeadLetterRequest } from "../../../src/dead-letters/dead-letters-http.js";
import type { DeadLetters } from "../../../src/dead-letters/dead-letters.js";
import { buildOpenApiDocument } from "../../../src/docs/openapi.js";
import type { OutboxMessage } from "../../../src/eventstore/event-store.js";
import { InMemoryEventStore } from "../../../src/eventstore/in-memory-event-store.js";
import type { ApiDeps } from "../../../src/http/api-deps.js";
import { postConcert } from "../../../src/http/concert-endpoints.js";
import { postPurchase } from "../../../src/http/purchase-endpoints.js";
import { getConcert, getConcertSales, getFanPurchases, getPurchase } from "../../../src/http/read-endpoints.js";
import { Projector } from "../../../src/projections/projector.js";
import { InMemoryRowStore } from "../../../src/projections/row-store.js";
import { createReadModelQueryBus } from "../../../src/queries/read-model-queries.js";
import { SimulatedTicketingProvider } from "../../../src/services/ticketing-provider/simulated-ticketing-provider.js";
import { registeredRoutes } from "./registered-routes.js";
import { FUTURE_START } from "../../helpers/future-start.js";

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const root = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

type Operation = { responses: Record<string, { $ref?: string; content?: Record<string, { schema: { $ref: string } }>; headers?: Record<string, unknown> }> };
type Doc = { paths: Record<string, Record<string, Operation>>; components: { responses: Record<string, Operation["responses"][string]> } };
const doc = buildOpenApiDocument("0.1.0") as unknown as Doc;

const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true, validateSchema: false }));
ajv.addSchema(doc, "openapi.json");

/** Checks a real response against what the document says `method path` answers with its status. */
function expectDocumented(method: string, path: string, response: { status: number; headers: Record<string, string>; body?: unknown }) {
  const operation = doc.paths[path]?.[method.toLowerCase()];
  expect(operation, `${method} ${path} is documented`).toBeDefined();
  let documented = operation.responses[String(response.status)];
  expect(documented, `${method} ${path} documents ${response.status}`).toBeDefined();
  if (documented.$ref) documented = doc.components.responses[documented.$ref.split("/").pop()!];
  const contentType = (response.headers["content-type"] ?? "").split(";")[0].trim();
  const content = documented.content?.[contentType];
  expect(content, `${method} ${path} ${response.status} documents ${contentType}`).toBeDefined();
  const validate = ajv.getSchema(`openapi.json${content!.schema.$ref}`)!;
  const body = typeof response.body === "string" ? JSON.parse(response.body) : response.body;
  const ok = validate(body);
  expect(ok ? [] : validate.errors!.map((e) => `${e.instancePath} ${e.message}`), `${method} ${path} ${response.status} body`).toEqual([]);
  // Retry-After comes with every 202 and only sometimes otherwise; x-read-model-stale only on a stale read.
  const sometimes = (header: string) => (header === "Retry-After" && response.status !== 202) || header === "x-read-model-stale";
  for (const header of Object.keys(documented.headers ?? {})) {
    if (!sometimes(header)) expect(response.headers[header.toLowerCase()], `${method} ${path} ${response.status} header ${header}`).toBeDefined();
  }
}

/** What an endpoint returned: its response (and the id it made, for POSTs). */
const answer = async (call: Promise<{ response: { status: number; headers: Record<string, string>; body?: string }; id?: string }>) => call;

function request(url: string, init: { method?: string; body?: unknown; contentType?: string; headers?: Record<string, string>; params?: Record<string, string> } = {}) {
  const body = init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body);
  const headers = { ...(body === undefined ? {} : { "content-type": init.contentType ?? "application/json" }), ...init.headers };
  return Object.assign(new Request(`http://localhost${url}`, { method: init.method ?? (body === undefined ? "GET" : "POST"), headers, body }), { params: init.params ?? {} });
}

const concert = { concertId: "night-owls", name: "Night Owls", venue: "Main Stage", startsAt: FUTURE_START, capacity: { standard: 5, vip: 2 }, prices: { standard: 5000, vip: 15000 } };
const purchase = { concertId: "night-owls", fan: { id: "fan-1", email: "ada@example.com", name: "Ada" }, tier: "vip", quantity: 2 };

/**
 * The API on an in-memory store, with a command bus that hands each command to its real handler and the events it
 * commits to the real projector (read models in memory), which the GET endpoints read through the query bus.
 */
function api(options: { failSends?: boolean } = {}): ApiDeps {
  const store = new InMemoryEventStore();
  const handlerDeps = { store };
  const tables = { purchaseStatus: new InMemoryRowStore("purchasestatus"), fanPurchases: new InMemoryRowStore("fanpurchases"), concertAvailability: new InMemoryRowStore("concertavailability"), concertSales: new InMemoryRowStore("concertsales") };
  const projector = new Projector((model) => Object.values(tables).find((t) => t.name === model.table)!, store);
  return {
    store,
    commands: {
      send: async (messages: readonly OutboxMessage[]) => {
        if (options.failSends) throw new Error("connection refused");
        for (const { message } of messages) {
          const outcome = message.type.includes(".Concerts.") ? await handleConcertCommand(message, handlerDeps) : await handlePurchaseCommand(message, handlerDeps);
          if (outcome.status === "handled") for (const event of outcome.events) await projector.handle(event);
        }
      },
    },
    queries: createReadModelQueryBus(tables, { maxWaitMs: 0 }),
  };
}

describe("OpenAPI document (GET /api/openapi.json)", () => {
  it("is a valid OpenAPI 3.1 document (no errors, no warnings)", async () => {
    const result = await validateOpenApi(structuredClone(buildOpenApiDocument("0.1.0")) as never);
    expect(result.valid ? [] : result.errors.map((e) => e.message)).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.specification).toBe("OpenAPI");
  });

  it("has exactly the HTTP routes the functions register, method by method", () => {
    const hostJson = JSON.parse(readFileSync(root("host.json"), "utf8")) as { extensions?: { http?: { routePrefix?: string } } };
    const prefix = hostJson.extensions?.http?.routePrefix ?? "api";
    const registered = registeredRoutes(root("functions"), prefix).map((r) => `${r.method} ${r.path}`);
    const documented = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
    expect(registered.length).toBeGreaterThan(5);
    expect([...new Set(documented)].sort()).toEqual([...new Set(registered)].sort());
  });

  it("describes what the purchase and concert endpoints answer: 202, 200 and their problems", async () => {
    const deps = api();
    const scheduled = await answer(postConcert(request("/api/concerts", { body: concert }), deps));
    expect(scheduled.response.status).toBe(202);
    expectDocumented("POST", "/api/concerts", scheduled.response);
    const concertView = await answer(getConcert(request("/api/concerts/night-owls", { params: { id: "night-owls" } }), deps));
    expect(concertView.response.status).toBe(200);
    expectDocumented("GET", "/api/concerts/{id}", concertView.response);

    const placed = await answer(postPurchase(request("/api/purchases", { body: purchase, headers: { "Idempotency-Key": "k-1", "x-correlation-id": "req-1" } }), deps));
    expect(placed.response.status).toBe(202);
    expectDocumented("POST", "/api/purchases", placed.response);
    const purchaseView = await answer(getPurchase(request(`/api/purchases/${placed.id}`, { params: { id: placed.id! } }), deps));
    expect(purchaseView.response.status).toBe(200);
    expectDocumented("GET", "/api/purchases/{id}", purchaseView.response);

    const problems: [string, { status: number; headers: Record<string, string>; body?: string }][] = [
      ["400", (await postPurchase(request("/api/purchases", { body: { ...purchase, quantity: 0, extra: true } }), deps)).response],
      ["404", (await postPurchase(request("/api/purchases", { body: { ...purchase, concertId: "nowhere" } }), deps)).response],
      // Only two VIP tickets exist.
      ["409", (await postPurchase(request("/api/purchases", { body: { ...purchase, quantity: 3 } }), deps)).response],
      ["413", (await postPurchase(request("/api/purchases", { body: { ...purchase, fan: { ...purchase.fan, name: "x".repeat(70_000) } } }), deps)).response],
      ["415", (await postPurchase(request("/api/purchases", { body: "concertId=night-owls", contentType: "application/x-www-form-urlencoded" }), deps)).response],
      ["422", (await postPurchase(request("/api/purchases", { body: { ...purchase, quantity: 1 }, headers: { "Idempotency-Key": "k-1" } }), deps)).response],
      ["503", (await postPurchase(request("/api/purchases", { body: purchase }), { ...deps, commands: api({ failSends: true }).commands })).response],
    ];
    for (const [status, response] of problems) {
      expect(response.status, `expected ${status}: ${response.body}`).toBe(Number(status));
      expectDocumented("POST", "/api/purchases", response);
    }
    expectDocumented("GET", "/api/purchases/{id}", (await getPurchase(request("/api/purchases/unknown", { params: { id: "unknown" } }), deps)).response);
    expectDocumented("GET", "/api/concerts/{id}", (await getConcert(request("/api/concerts/unknown", { params: { id: "unknown" } }), deps)).response);
    const sales = await getConcertSales(request("/api/concerts/night-owls/sales", { params: { id: "night-owls" } }), deps);
    expect(sales.response.status).toBe(200);
    expectDocumented("GET", "/api/concerts/{id}/sales", sales.response);
    expectDocumented("GET", "/api/concerts/{id}/sales", (await getConcertSales(request("/api/concerts/unknown/sales", { params: { id: "unknown" } }), deps)).response);
    const fanPurchases = await getFanPurchases(request("/api/fans/fan-1/purchases", { params: { fanId: "fan-1" } }), deps);
    expect(JSON.parse(fanPurchases.response.body!).purchases).toHaveLength(1);
    expectDocumented("GET", "/api/fans/{fanId}/purchases", fanPurchases.response);
    // Read-your-writes: a version the read model has not reached answers what it has, marked stale; a bad one is 400.
    const stale = await getPurchase(request(`/api/purchases/${placed.id}?minVersion=2`, { params: { id: placed.id! } }), deps);
    expect(stale.response.headers).toMatchObject({ "x-read-model-stale": "true", etag: '"1"' });
    expectDocumented("GET", "/api/purchases/{id}", stale.response);
    expectDocumented("GET", "/api/purchases/{id}", (await getPurchase(request("/api/purchases/x?minVersion=-1", { params: { id: "x" } }), deps)).response);
    expectDocumented("GET", "/api/purchases/{id}", (await getPurchase(request("/api/purchases/x", { params: { id: "x" }, headers: { "x-min-version": "1" } }), deps)).response);
    const otherDetails = await postConcert(request("/api/concerts", { body: { ...concert, venue: "Elsewhere" } }), deps);
    expect(otherDetails.response.status).toBe(409);
    expectDocumented("POST", "/api/concerts", otherDetails.response);
  });

  it("describes the dead-letter endpoints' validation problems and the simulated provider's answers", async () => {
    const unused = undefined as unknown as DeadLetters; // bad input is refused before Service Bus is asked
    const badEntity = await handleDeadLetterRequest(unused, { operation: "list", entity: "a/b/c/d", instance: "/api/ops/dead-letters" });
    expectDocumented("GET", "/api/ops/dead-letters", badEntity);
    const badMax = await handleDeadLetterRequest(unused, { operation: "list", entity: "commands/subscriptions/payments", max: "0", instance: "/api/ops/dead-letters" });
    expectDocumented("GET", "/api/ops/dead-letters", badMax);

    const path = "/api/simulated/ticketing-provider/tickets";
    const ticketRequest = { purchaseId: "p1", concertId: "night-owls", tier: "vip", quantity: 2, fan: { id: "fan-1", email: "ada@example.com" } };
    const provider = new SimulatedTicketingProvider({ unavailableConcerts: ["sold-elsewhere"] });
    expectDocumented("POST", path, await provider.handle({ method: "POST", body: ticketRequest }));
    expectDocumented("POST", path, await provider.handle({ method: "POST", body: { ...ticketRequest, quantity: "two" } }));
    expectDocumented("POST", path, await provider.handle({ method: "POST", body: { ...ticketRequest, concertId: "sold-elsewhere" } }));
    expectDocumented("POST", path, await new SimulatedTicketingProvider({ failureRate: 1 }).handle({ method: "POST", body: ticketRequest }));
  });
});
