/**
 * The read models' Table Storage rows, on Azurite and on the emulator's Table endpoint: a write answers each row's
 * new ETag (from the response, or each sub-response of an entity-group transaction), which the projections' row
 * cache then writes with.
 */
import { TableClient } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RowConflictError } from "../../src/projections/row-store.js";
import { TableRowStore } from "../../src/projections/table-row-store.js";
import { TABLE_BACKENDS, type TableStorage, startTableStorage } from "../helpers/table-storage.js";

describe.each(TABLE_BACKENDS)("on %s", (backend) => {
  let storage: TableStorage;
  let rows: TableRowStore;

  beforeAll(async () => {
    storage = await startTableStorage(backend);
    rows = new TableRowStore(TableClient.fromConnectionString(storage.connectionString, "rowstoretest", { allowInsecureConnection: true }));
  });
  afterAll(async () => {
    await storage?.close();
  });

  describe(`TableRowStore on ${backend}`, () => {
    it("answers the ETag of a single write, and a replace with it succeeds while an older one conflicts", async () => {
      const [inserted] = await rows.write("p1", [{ kind: "insert", rowKey: "r", properties: { n: 1 } }]);
      expect(inserted.etag).toBe((await rows.get("p1", "r"))!.etag);
      const [replaced] = await rows.write("p1", [{ kind: "replace", rowKey: "r", etag: inserted.etag!, properties: { n: 2 } }]);
      expect(replaced.etag).not.toBe(inserted.etag);
      await expect(rows.write("p1", [{ kind: "replace", rowKey: "r", etag: inserted.etag!, properties: { n: 3 } }])).rejects.toBeInstanceOf(RowConflictError);
      expect((await rows.get("p1", "r"))!.properties.n).toBe(2);
    });

    it("answers each row's ETag of a transaction, in the order of the writes", async () => {
      const written = await rows.write("p2", [
        { kind: "insert", rowKey: "a", properties: { n: 1 } },
        { kind: "insert", rowKey: "b", properties: { n: 2 } },
      ]);
      expect(written.map((w) => w.rowKey)).toEqual(["a", "b"]);
      expect(written.map((w) => w.etag)).toEqual([(await rows.get("p2", "a"))!.etag, (await rows.get("p2", "b"))!.etag]);
      const again = await rows.write("p2", [
        { kind: "replace", rowKey: "b", etag: written[1].etag!, properties: { n: 3 } },
        { kind: "insert", rowKey: "c", properties: { n: 4 } },
      ]);
      expect(again[0].etag).toBe((await rows.get("p2", "b"))!.etag);
    });
  });
});
