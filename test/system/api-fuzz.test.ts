/**
 * Generated bad input to every operation of the OpenAPI document (src/docs/openapi.ts), against the whole local
 * system: odd path segments (encoded slashes, backslashes, '#', '?', '%', control characters, very long ids),
 * query parameters and headers out of their range, bodies that are not JSON, not objects, or valid bodies with one
 * field broken. Whatever comes in, the answer is a 4xx or a success, in bounded time: never a 5xx, never a hang.
 * fast-check prints the seed and the smallest failing request when one is found.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "../../src/docs/openapi.js";
import { FUTURE_START } from "../helpers/future-start.js";
import { type SystemUnderTest, startSystemUnderTest } from "./system-under-test.js";

let sut: SystemUnderTest;
let functionKey: string;
beforeAll(async () => {
  sut = await startSystemUnderTest();
  functionKey = sut.system.appSettings["host.function.local"];
}, 60_000);
afterAll(() => sut?.close());

type Parameter = { name: string; in: string };
type Operation = { operationId?: string; parameters?: (Parameter | { $ref: string })[]; requestBody?: unknown; security?: unknown[] };
const doc = buildOpenApiDocument("0.0.0") as unknown as { paths: Record<string, Record<string, Operation>>; components: { parameters: Record<string, Parameter> } };
const parameterOf = (p: Parameter | { $ref: string }): Parameter => ("$ref" in p ? doc.components.parameters[p.$ref.split("/").at(-1)!] : p);
const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
  Object.entries(item).map(([method, op]) => ({ path, method: method.toUpperCase(), op, parameters: (op.parameters ?? []).map(parameterOf) })),
);

/** Valid bodies of the operations that take one, for the generator to break one field at a time. */
const fan = { id: "fuzz-fan", email: "fuzz@example.com", name: "Fuzz" };
const templates: Record<string, Record<string, unknown>> = {
  "POST /api/purchases": { concertId: "fuzz-concert", fan, tier: "standard", quantity: 1 },
  "POST /api/concerts": { concertId: "fuzz-concert", name: "Fuzz", venue: "Hall", startsAt: FUTURE_START, capacity: { standard: 5, vip: 1 }, prices: { standard: 100, vip: 200 } },
  "POST /api/fans": { fanId: "fuzz-fan", email: "fuzz@example.com", name: "Fuzz", city: "Porto" },
  "PUT /api/fans/{id}": { email: "fuzz@example.com", name: "Fuzz" },
  "POST /api/simulated/ticketing-provider/tickets": { purchaseId: "p-fuzz", concertId: "fuzz-concert", tier: "vip", quantity: 1, fan },
  "POST /api/simulated/fan-webhook": { specversion: "1.0", id: "e-1", source: "/fuzz", type: "MusicFest.Purchases.PurchaseCompleted.v1", data: {} },
};

const visible = (max: number) => fc.stringMatching(new RegExp(`^[\\x20-\\x7e]{0,${max}}$`));
const oddSegments = [
  "a%2Fb", "%2F", "a%5Cb", "%23", "a%3Fb", "%25", "%", "%zz", "%E2%82", "..", "%2E%2E", "%00", "a%0Ab", "%7F",
  "%F0%9F%8E%B8", "x".repeat(300), "9".repeat(40), "-1", "0", "null", "%20", "a%2Fb%2Fc",
];
const segment = fc.oneof(fc.constantFrom(...oddSegments), fc.string({ maxLength: 40 }).map(encodeURIComponent), fc.stringMatching(/^[a-z0-9-]{1,20}$/));
const queryValue = fc.oneof(fc.constantFrom("", "-1", "abc", "1.5", "1e3", "9".repeat(20), "commands/subscriptions/../x", "%2F"), visible(30));
const contentType = fc.constantFrom(
  "application/json", "application/json; charset=utf-8", "text/plain", "", "application/cloudevents+json",
  "application/cloudevents-batch+json", "application/x-www-form-urlencoded", "application/json; charset=latin1",
);

/** A body: random JSON, text that is not JSON, edge cases, or a valid body with one field replaced or removed. */
function bodyFor(key: string) {
  const template = templates[key];
  const edge = fc.constantFrom("", "{", "[]", "null", "0", '"x"', '{"__proto__":{"admin":true}}', "[".repeat(5000), `{"a":"${"x".repeat(70_000)}"}`);
  const arbitraries = [fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)), fc.string({ maxLength: 100 }), edge];
  if (!template) return fc.oneof(...arbitraries);
  const broken = fc
    .record({ field: fc.constantFrom(...Object.keys(template)), value: fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }) })
    .map(({ field, value }) => {
      const copy: Record<string, unknown> = { ...template };
      if (value === undefined) delete copy[field];
      else copy[field] = value;
      return JSON.stringify(copy);
    });
  return fc.oneof(broken, broken, ...arbitraries);
}

const headers = fc.record(
  {
    "idempotency-key": visible(300),
    "x-min-version": queryValue,
    "if-none-match": visible(40),
    "x-correlation-id": visible(200),
    traceparent: visible(80),
    "webhook-request-origin": visible(40),
  },
  { requiredKeys: [] },
);

describe("every OpenAPI operation, given generated bad input", () => {
  it("lists the operations it fuzzes", () => {
    expect(operations.length).toBeGreaterThanOrEqual(20);
  });

  it.each(operations.map((o) => [`${o.method} ${o.path}`, o] as const))("%s answers no 5xx and does not hang", async (key, { path, method, parameters, op }) => {
    const pathNames = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    const queryNames = parameters.filter((p) => p.in === "query").map((p) => p.name);
    const input = fc.record({
      segments: fc.tuple(...pathNames.map(() => segment)),
      query: fc.record(Object.fromEntries(queryNames.map((n) => [n, queryValue])), { requiredKeys: [] }),
      headers,
      body: op.requestBody ? bodyFor(key) : fc.constant(undefined),
      contentType,
      // Mostly with the key, so that bad input reaches the operations endpoints rather than stopping at 401.
      key: op.security ? fc.constantFrom("valid", "valid", "none", "wrong") : fc.constant("none"),
    });
    await fc.assert(
      fc.asyncProperty(input, async ({ segments, query, headers: extra, body, contentType: type, key: keyChoice }) => {
        let url = path;
        pathNames.forEach((name, i) => (url = url.replace(`{${name}}`, segments[i])));
        const search = new URLSearchParams(query as Record<string, string>).toString();
        const sent: Record<string, string> = { ...(extra as Record<string, string>) };
        if (body !== undefined && type) sent["content-type"] = type;
        if (keyChoice !== "none") sent["x-functions-key"] = keyChoice === "valid" ? functionKey : "wrong-key";
        const res = await fetch(`${sut.url}${url}${search ? `?${search}` : ""}`, {
          method,
          headers: sent,
          body,
          redirect: "manual",
          signal: AbortSignal.timeout(10_000),
        });
        const text = await res.text();
        expect(res.status, `${method} ${url}?${search} -> ${res.status} ${text.slice(0, 300)}`).toBeLessThan(500);
      }),
      // FUZZ_RUNS=200 for a longer hunt; 10 per operation keeps the suite at ~220 requests.
      { numRuns: Number(process.env.FUZZ_RUNS ?? 10) },
    );
  }, 600_000);
});
