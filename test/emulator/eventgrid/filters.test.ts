/**
 * Subscription filters, table-driven: one subscription per row, all on one topic, each delivering to its own path of
 * a real local webhook. The same three events are published with EventGridPublisherClient; each row lists the events
 * its subscription must receive, and no others.
 */
import { AzureKeyCredential, EventGridPublisherClient } from "@azure/eventgrid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEventGrid, startWebhook, type TestEventGrid, type TestWebhook } from "./helpers.js";

type Row = [name: string, filter: object, expected: string[]];

const rows: Row[] = [
  ["event-types", { includedEventTypes: ["Order.Placed", "Refund.Issued"] }, ["e1", "e3"]],
  ["subject-begins", { subjectBeginsWith: "orders/" }, ["e1", "e2"]],
  ["subject-begins-case", { subjectBeginsWith: "Orders/", isSubjectCaseSensitive: true }, ["e1"]],
  ["subject-ends", { subjectEndsWith: ".JSON" }, ["e3"]],
  ["number-in", { advancedFilters: [{ operatorType: "NumberIn", key: "data.amount", values: [50, 999] }] }, ["e1"]],
  ["number-not-in", { advancedFilters: [{ operatorType: "NumberNotIn", key: "data.amount", values: [50] }] }, ["e2", "e3"]],
  ["number-lt", { advancedFilters: [{ operatorType: "NumberLessThan", key: "data.amount", value: 100 }] }, ["e1"]],
  ["number-gt", { advancedFilters: [{ operatorType: "NumberGreaterThan", key: "data.amount", value: 100 }] }, ["e2"]],
  ["number-lte", { advancedFilters: [{ operatorType: "NumberLessThanOrEquals", key: "data.amount", value: 50 }] }, ["e1"]],
  ["number-gte", { advancedFilters: [{ operatorType: "NumberGreaterThanOrEquals", key: "data.amount", value: 150 }] }, ["e2"]],
  ["number-in-range", { advancedFilters: [{ operatorType: "NumberInRange", key: "data.amount", values: [[0, 60], [140, 160]] }] }, ["e1", "e2"]],
  ["number-not-in-range", { advancedFilters: [{ operatorType: "NumberNotInRange", key: "data.amount", values: [[0, 60]] }] }, ["e2", "e3"]],
  ["bool-equals", { advancedFilters: [{ operatorType: "BoolEquals", key: "data.vip", value: true }] }, ["e1"]],
  ["string-contains", { advancedFilters: [{ operatorType: "StringContains", key: "data.tier", values: ["OL"] }] }, ["e1"]],
  ["string-not-contains", { advancedFilters: [{ operatorType: "StringNotContains", key: "data.tier", values: ["gold"] }] }, ["e2", "e3"]],
  ["string-begins", { advancedFilters: [{ operatorType: "StringBeginsWith", key: "subject", values: ["refunds"] }] }, ["e3"]],
  ["string-not-begins", { advancedFilters: [{ operatorType: "StringNotBeginsWith", key: "subject", values: ["orders"] }] }, ["e3"]],
  ["string-ends", { advancedFilters: [{ operatorType: "StringEndsWith", key: "data.nested.city", values: ["LO"] }] }, ["e1"]],
  // A missing key fails StringNotEndsWith (Azure's documented list), so e3 (no nested.city) is not delivered.
  ["string-not-ends", { advancedFilters: [{ operatorType: "StringNotEndsWith", key: "data.nested.city", values: ["lo"] }] }, ["e2"]],
  // Numbers are compared as text by string operators: tier 7 matches "7".
  ["string-in", { advancedFilters: [{ operatorType: "StringIn", key: "data.tier", values: ["GOLD", "7"] }] }, ["e1", "e3"]],
  ["string-not-in", { advancedFilters: [{ operatorType: "StringNotIn", key: "data.tier", values: ["gold"] }] }, ["e2", "e3"]],
  ["is-null-or-undefined", { advancedFilters: [{ operatorType: "IsNullOrUndefined", key: "data.note" }] }, ["e1", "e3"]],
  ["is-not-null", { advancedFilters: [{ operatorType: "IsNotNull", key: "data.note" }] }, ["e2"]],
  ["array-without-flag", { advancedFilters: [{ operatorType: "StringIn", key: "data.tags", values: ["a"] }] }, []],
  ["array-string-in", { enableAdvancedFilteringOnArrays: true, advancedFilters: [{ operatorType: "StringIn", key: "data.tags", values: ["a"] }] }, ["e1"]],
  ["array-string-not-in", { enableAdvancedFilteringOnArrays: true, advancedFilters: [{ operatorType: "StringNotIn", key: "data.tags", values: ["a"] }] }, ["e2", "e3"]],
  ["array-number-gt", { enableAdvancedFilteringOnArrays: true, advancedFilters: [{ operatorType: "NumberGreaterThan", key: "data.nums", value: 8 }] }, ["e2"]],
  ["missing-key", { advancedFilters: [{ operatorType: "NumberGreaterThan", key: "data.missing", value: 0 }] }, []],
  ["key-case-insensitive", { advancedFilters: [{ operatorType: "StringIn", key: "Data.Nested.City", values: ["bergen"] }] }, ["e2"]],
  ["string-op-on-number", { advancedFilters: [{ operatorType: "StringContains", key: "data.code", values: ["4"] }] }, ["e1", "e2"]],
  [
    "filters-are-anded",
    { advancedFilters: [{ operatorType: "NumberGreaterThan", key: "data.amount", value: 10 }, { operatorType: "BoolEquals", key: "data.vip", value: false }] },
    ["e2"],
  ],
  ["event-type-key", { advancedFilters: [{ operatorType: "StringIn", key: "eventType", values: ["order.cancelled"] }] }, ["e2"]],
];

const ceRows: Row[] = [
  ["ce-extension", { advancedFilters: [{ operatorType: "StringIn", key: "tenant", values: ["T1"] }] }, ["c1"]],
  ["ce-source", { advancedFilters: [{ operatorType: "StringBeginsWith", key: "source", values: ["/contoso/b"] }] }, ["c2"]],
  ["ce-types", { includedEventTypes: ["Contoso.B"] }, ["c2"]],
];

let eg: TestEventGrid;
let hook: TestWebhook;

beforeAll(async () => {
  hook = await startWebhook();
  const sub = (name: string, filter: object) => ({
    name,
    properties: { destination: { endpointType: "WebHook", properties: { endpointUrl: new URL(`/${name}`, hook.url).toString() } }, filter },
  });
  eg = await startTestEventGrid({
    topics: [
      { name: "filters", eventSubscriptions: rows.map(([name, filter]) => sub(name, filter)) },
      { name: "ce-filters", properties: { inputSchema: "CloudEventSchemaV1_0" }, eventSubscriptions: ceRows.map(([name, filter]) => sub(name, filter)) },
    ],
  });
  const key = (t: string) => new AzureKeyCredential(eg.key(t));
  await new EventGridPublisherClient(eg.endpoint("filters"), "EventGrid", key("filters"), { allowInsecureConnection: true }).send([
    {
      id: "e1",
      eventType: "Order.Placed",
      subject: "Orders/Vip/1",
      dataVersion: "1",
      data: { amount: 50, tier: "Gold", vip: true, tags: ["a", "b"], nums: [1, 5], note: null, nested: { city: "Oslo" }, code: 42 },
    },
    {
      id: "e2",
      eventType: "Order.Cancelled",
      subject: "orders/regular/2",
      dataVersion: "1",
      data: { amount: 150, tier: "silver", vip: false, tags: ["c"], nums: [10], note: "x", nested: { city: "Bergen" }, code: "42" },
    },
    { id: "e3", eventType: "Refund.Issued", subject: "refunds/3.json", dataVersion: "1", data: { amount: "n/a", tier: 7 } },
  ]);
  await new EventGridPublisherClient(eg.endpoint("ce-filters"), "CloudEvent", key("ce-filters"), { allowInsecureConnection: true }).send([
    { id: "c1", type: "Contoso.A", source: "/contoso/a", data: {}, extensionAttributes: { tenant: "t1" } },
    { id: "c2", type: "Contoso.B", source: "/contoso/b", data: {} },
  ]);
  await eg.eventGrid.whenIdle();
});

afterAll(async () => {
  await eg?.close();
  await hook?.close();
});

function receivedBy(name: string): string[] {
  return hook
    .notifications()
    .filter((r) => r.url === `/${name}`)
    .flatMap((r) => (Array.isArray(r.json) ? r.json : [r.json]).map((e: { id: string }) => e.id))
    .sort();
}

describe("subscription filters", () => {
  it.each([...rows, ...ceRows])("%s", (name, _filter, expected) => {
    expect(receivedBy(name)).toEqual(expected);
  });

  it("reports events that matched no subscription", async () => {
    const res = await fetch(`${eg.baseUrl}/eventgrid/topics/filters`);
    const body = (await res.json()) as { published: number; unmatched: number };
    expect(body.published).toBe(3);
    expect(body.unmatched).toBe(0);
  });
});
