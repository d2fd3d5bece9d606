/**
 * Bad requests to the emulator's Table endpoint get Azure's 4xx answer (its error code, in the OData JSON error
 * format @azure/data-tables reads), never a 5xx or a hang, and change nothing; the endpoint keeps serving.
 */
import { TableClient } from "@azure/data-tables";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTableStorage, type TableStorage } from "../../helpers/table-storage.js";

let storage: TableStorage;
let table: TableClient;
let endpoint: string;

beforeAll(async () => {
  storage = await startTableStorage("emulator");
  endpoint = /TableEndpoint=([^;]+)/.exec(storage.connectionString)![1];
  table = TableClient.fromConnectionString(storage.connectionString, "badinput", { allowInsecureConnection: true });
  await table.createTable();
  await table.createEntity({ partitionKey: "p", rowKey: "r", n: 1 });
});
afterAll(async () => {
  await storage?.close();
});

type Answer = { status: number; code?: string };
const MULTIPART = (boundary: string) => ({ "content-type": `multipart/mixed; boundary=${boundary}` });

async function send(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  const accept = "application/json;odata=minimalmetadata";
  const res = await fetch(`${endpoint}/${path}`, { method, body, headers: { accept, ...headers } });
  const text = await res.text();
  let code: string | undefined;
  try {
    code = (JSON.parse(text) as { "odata.error"?: { code?: string } })["odata.error"]?.code;
  } catch {
    code = undefined;
  }
  return { status: res.status, code } as Answer;
}

const JSON_BODY = { "content-type": "application/json" };
const post = (path: string, json: object) => send("POST", path, JSON.stringify(json), JSON_BODY);

describe("Table endpoint bad input", () => {
  it("answers malformed requests with Azure's 4xx error codes", async () => {
    const json = { "content-type": "application/json" };
    const refused = (code: string, status = 400) => ({ status, code });
    expect(await send("POST", "badinput", "{not json", json)).toEqual(refused("InvalidInput"));
    expect(await post("badinput", { PartitionKey: "a/b", RowKey: "r" })).toEqual(refused("InvalidInput"));
    const big = "x".repeat(40_000);
    expect(await post("badinput", { PartitionKey: "p", RowKey: "x", big })).toEqual(refused("PropertyValueTooLarge"));
    const mistyped = { PartitionKey: "p", RowKey: "x", n: "1", "n@odata.type": "Edm.Int32" };
    expect(await post("badinput", mistyped)).toEqual(refused("InvalidValueType"));
    const badName = { PartitionKey: "p", RowKey: "x", "bad name": 1 };
    expect(await post("badinput", badName)).toEqual(refused("PropertyNameInvalid"));
    expect(await post("Tables", { TableName: "no-dashes" })).toEqual(refused("InvalidResourceName"));
    expect(await post("missing", { PartitionKey: "p", RowKey: "r" })).toEqual(refused("TableNotFound", 404));
    expect(await send("GET", "badinput()?$top=0")).toEqual({ status: 400, code: "InvalidInput" });
    expect(await send("GET", "badinput()?NextPartitionKey=%25%25")).toEqual({ status: 400, code: "InvalidInput" });
    expect(await send("GET", "what/is/this")).toEqual({ status: 400, code: "InvalidUri" });
    expect(await send("POST", "$batch", "--x\r\nnothing\r\n--x--", MULTIPART("x"))).toMatchObject({ status: 400 });
    const changeset = (b: string) => `--x\r\nContent-Type: multipart/mixed; boundary=${b}\r\n\r\n--${b}--\r\n`;
    const twoChangesets = `${changeset("c")}${changeset("d")}--x--`;
    expect(await send("POST", "$batch", twoChangesets, MULTIPART("x"))).toEqual(refused("InvalidInput"));
    const text = { "content-type": "text/plain" };
    expect(await send("POST", "$batch", "no boundary", text)).toEqual(refused("InvalidInput"));
    const huge = "x".repeat(5 * 1024 * 1024);
    expect(await send("POST", "badinput", huge, json)).toEqual(refused("RequestBodyTooLarge", 413));
    expect((await table.getEntity("p", "r")).n).toBe(1);
  });

  it("refuses a transaction across partitions, writing nothing", async () => {
    const attempt = table.submitTransaction([
      ["create", { partitionKey: "p", rowKey: "t1" }],
      ["upsert", { partitionKey: "p", rowKey: "t2" }],
    ]);
    await expect(attempt).resolves.toMatchObject({ status: 202 });
    // The SDK checks partitions itself; a hand-made batch across partitions gets Azure's refusal.
    const body = (pk: string, rk: string) =>
      "--changeset_c\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n" +
      `POST ${endpoint}/badinput HTTP/1.1\r\n` +
      `Content-Type: application/json\r\n\r\n${JSON.stringify({ PartitionKey: pk, RowKey: rk })}\r\n`;
    const batch =
      `--batch_b\r\nContent-Type: multipart/mixed; boundary=changeset_c\r\n\r\n${body("p", "t3")}${body("q", "t4")}` +
      "--changeset_c--\r\n--batch_b--\r\n";
    const res = await fetch(`${endpoint}/$batch`, { method: "POST", body: batch, headers: MULTIPART("batch_b") });
    expect(res.status).toBe(202);
    expect(await res.text()).toMatch(/HTTP\/1\.1 400 Bad Request[\s\S]*CommandsInBatchActOnDifferentPartitions/);
    await expect(table.getEntity("p", "t3")).rejects.toMatchObject({ statusCode: 404 });
  });

  it("answers any $filter text with results or a 400, never a server error", async () => {
    const words = fc.constantFrom(
      ...["PartitionKey", "RowKey", "n", "eq", "ne", "gt", "and", "or", "not", "(", ")", "'p'", "1", "2L", "true"],
      ...["datetime'2025-01-01T00:00:00Z'", "guid'x'", "'", "X'0g'", "1.5e3"],
    );
    const filters = fc.oneof(fc.array(words, { maxLength: 8 }).map((w) => w.join(" ")), fc.string({ maxLength: 40 }));
    await fc.assert(
      fc.asyncProperty(filters, async (filter) => {
        const { status } = await send("GET", `badinput()?$filter=${encodeURIComponent(filter)}`);
        expect([200, 400]).toContain(status);
      }),
      { numRuns: 150 },
    );
  });

  it("ends a page of large entities at about 8 MiB, and the continuation brings the rest", async () => {
    const big = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`part${i}`, "x".repeat(30_000)]));
    const rowKey = (i: number) => `r${String(i).padStart(2, "0")}`;
    const entity = (i: number) => ({ partitionKey: "big", rowKey: rowKey(i), ...big });
    await Promise.all(Array.from({ length: 40 }, (_, i) => table.createEntity(entity(i))));
    const filter = "PartitionKey eq 'big'";
    const pages: number[] = [];
    const keysOnly = table.listEntities({ queryOptions: { filter, select: ["RowKey"] } });
    for await (const page of keysOnly.byPage()) pages.push(page.length);
    expect(pages).toEqual([40]);
    pages.length = 0;
    for await (const page of table.listEntities({ queryOptions: { filter } }).byPage()) pages.push(page.length);
    expect(pages.length).toBeGreaterThan(1);
    expect(pages.reduce((a, b) => a + b, 0)).toBe(40);
  });
});
