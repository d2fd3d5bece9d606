/**
 * What @azure/data-tables can ask of Table Storage, asked of Azurite and of the emulator's Table endpoint alike, with
 * the same expectations: typed properties read back as written, $filter over each type, $select, paging with $top
 * and continuation, replace vs merge vs upsert, If-Match, and the errors a user checks (404, 409, 412).
 */
import { randomUUID } from "node:crypto";
import { odata, TableClient } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TABLE_BACKENDS, type TableStorage, startTableStorage } from "../helpers/table-storage.js";

const NOT_FOUND = { statusCode: 404 };

describe.each(TABLE_BACKENDS)("Table Storage on %s", (backend) => {
  let storage: TableStorage;
  let table: TableClient;
  const pk = `p-${randomUUID()}`;

  beforeAll(async () => {
    storage = await startTableStorage(backend);
    table = TableClient.fromConnectionString(storage.connectionString, "contract", { allowInsecureConnection: true });
    await table.createTable();
    for (let i = 0; i < 12; i++) {
      await table.createEntity({
        partitionKey: pk,
        rowKey: `r${String(i).padStart(2, "0")}`,
        n: i,
        big: { value: String(2 ** 40 + i), type: "Int64" },
        ratio: i / 4,
        on: i % 2 === 0,
        at: new Date(Date.UTC(2026, 0, 1 + i)),
        id: { value: `00000000-0000-0000-0000-0000000000${String(i).padStart(2, "0")}`, type: "Guid" },
        name: `it's ${i}`,
      });
    }
  });
  afterAll(async () => {
    await storage?.close();
  });

  const inPartition = () => odata`PartitionKey eq ${pk}`;

  async function keys(filter: string, select?: string[]): Promise<string[]> {
    const out: string[] = [];
    const query = table.listEntities({ queryOptions: { filter: `${inPartition()} and (${filter})`, select } });
    for await (const e of query) out.push(e.rowKey!);
    return out;
  }

  it("reads typed properties back as they were written", async () => {
    const e = await table.getEntity<Record<string, unknown>>(pk, "r03", { disableTypeConversion: true });
    expect(e).toMatchObject({
      n: { value: "3", type: "Int32" },
      big: { value: String(2 ** 40 + 3), type: "Int64" },
      ratio: { value: "0.75", type: "Double" },
      on: { value: "false", type: "Boolean" },
      at: { value: "2026-01-04T00:00:00.000Z", type: "DateTime" },
      id: { value: "00000000-0000-0000-0000-000000000003", type: "Guid" },
      name: { value: "it's 3", type: "String" },
    });
  });

  it("filters on every type, with and / or / not and quotes in strings", async () => {
    expect(await keys("n ge 3 and n lt 6")).toEqual(["r03", "r04", "r05"]);
    expect(await keys(`big gt ${2 ** 40 + 9}L`)).toEqual(["r10", "r11"]);
    expect(await keys("ratio eq 0.5 or ratio eq 2.5")).toEqual(["r02", "r10"]);
    expect(await keys("on eq true and not (n gt 4)")).toEqual(["r00", "r02", "r04"]);
    expect(await keys(odata`at le ${new Date(Date.UTC(2026, 0, 2))}`)).toEqual(["r00", "r01"]);
    expect(await keys("id eq guid'00000000-0000-0000-0000-000000000007'")).toEqual(["r07"]);
    expect(await keys(odata`name eq ${"it's 8"}`)).toEqual(["r08"]);
    expect(await keys("RowKey gt 'r09' and RowKey lt 'r11'")).toEqual(["r10"]);
    expect(await keys("missing eq 1")).toEqual([]);
  });

  it("selects properties and pages with $top and continuation tokens", async () => {
    let first: Record<string, unknown> = {};
    for await (const e of table.listEntities({ queryOptions: { filter: inPartition(), select: ["n"] } })) first = e;
    expect(Object.keys(first).filter((k) => !["etag", "odata.metadata"].includes(k)).sort()).toEqual(["n"]);
    const pages: string[][] = [];
    const all = () => table.listEntities({ queryOptions: { filter: inPartition() } });
    for await (const page of all().byPage({ maxPageSize: 5 })) pages.push(page.map((e) => e.rowKey!));
    expect(pages.map((p) => p.length)).toEqual([5, 5, 2]);
    const token = (await all().byPage({ maxPageSize: 5 }).next()).value.continuationToken;
    const resumed = (await all().byPage({ maxPageSize: 5, continuationToken: token }).next()).value;
    expect(resumed.map((e: { rowKey: string }) => e.rowKey)).toEqual(pages[1]);
  });

  it("replaces, merges and upserts, guarded by If-Match", async () => {
    const created = await table.createEntity({ partitionKey: pk, rowKey: "w", a: 1, b: 2 });
    await expect(table.createEntity({ partitionKey: pk, rowKey: "w" })).rejects.toMatchObject({ statusCode: 409 });
    const merge = { partitionKey: pk, rowKey: "w", b: 3, c: 4 };
    const merged = await table.updateEntity(merge, "Merge", { etag: created.etag });
    expect(await table.getEntity(pk, "w")).toMatchObject({ a: 1, b: 3, c: 4, etag: merged.etag });
    const stale = table.updateEntity({ partitionKey: pk, rowKey: "w", a: 9 }, "Replace", { etag: created.etag });
    await expect(stale).rejects.toMatchObject({ statusCode: 412 });
    await table.updateEntity({ partitionKey: pk, rowKey: "w", a: 9 }, "Replace", { etag: merged.etag });
    expect(await table.getEntity(pk, "w")).not.toHaveProperty("b");
    await table.upsertEntity({ partitionKey: pk, rowKey: "w", z: 1 }, "Merge");
    expect(await table.getEntity(pk, "w")).toMatchObject({ a: 9, z: 1 });
    await expect(table.updateEntity({ partitionKey: pk, rowKey: "nobody", a: 1 })).rejects.toMatchObject(NOT_FOUND);
    await table.deleteEntity(pk, "w");
    await expect(table.deleteEntity(pk, "w")).rejects.toMatchObject(NOT_FOUND);
    const options = { allowInsecureConnection: true };
    const missing = TableClient.fromConnectionString(storage.connectionString, "nosuchtable", options);
    await expect(missing.getEntity(pk, "w")).rejects.toMatchObject(NOT_FOUND);
  });
});
