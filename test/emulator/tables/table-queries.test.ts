/**
 * The Table endpoint's queries on large partitions: what a stream's read asks for (the events after a version, an
 * inbox row, the snapshot row) and what the outbox sweeper asks for (the `o:` rows of every partition) come back as
 * a scan of every row would find them, page by page, while only the rows in the filter's RowKey ranges are read.
 */
import { describe, expect, it, vi } from "vitest";
import { parseFilter } from "../../../emulator/tables/odata-filter.js";
import type { StoredEntity } from "../../../emulator/tables/entity.js";
import { TableModel } from "../../../emulator/tables/table-model.js";

const eventKey = (n: number) => `e:${String(n).padStart(10, "0")}`;

/** Partition `hot` holds 2,000 events, 2,000 inbox rows, a few outbox rows and a snapshot; 50 small partitions. */
function model(): TableModel {
  const m = new TableModel(() => Date.now());
  m.apply(m.planCreateTable("events"));
  const put = (pk: string, rk: string) =>
    m.apply(m.planInsert("events", pk, rk, { n: { type: "Edm.Int32", value: 1 } }));
  // Written out of order, deleted in between: the key order must survive every write.
  for (let n = 2000; n >= 1; n--) put("hot", eventKey(n));
  for (let n = 0; n < 2000; n++) put("hot", `i:concerts:m-${n}`);
  for (let n = 0; n < 5; n++) put("hot", `o:r-${n}`);
  put("hot", "s:");
  m.apply({ t: "delete", table: "events", partitionKey: "hot", rowKey: "o:r-2" });
  for (let p = 0; p < 50; p++) for (const rk of [eventKey(1), eventKey(2), `o:x-${p}`]) put(`purchase-${p}`, rk);
  return m;
}

function allPages(m: TableModel, filter: string, top: number): string[] {
  const node = parseFilter(filter);
  const keys: string[] = [];
  let from: { partitionKey: string; rowKey: string } | undefined;
  do {
    const page = m.query("events", node, top, from);
    keys.push(...page.entities.map((e: StoredEntity) => `${e.partitionKey}/${e.rowKey}`));
    from = page.next;
  } while (from);
  return keys;
}

const filters = [
  `PartitionKey eq 'hot' and ((RowKey ge '${eventKey(1990)}' and RowKey lt 'e;') or RowKey eq 'i:concerts:m-7')`,
  `PartitionKey eq 'hot' and ((RowKey ge '${eventKey(0)}' and RowKey le '${eventKey(20)}') or RowKey eq 's:')`,
  `RowKey ge 'o:' and RowKey lt 'o;'`,
  `PartitionKey eq 'hot' and 'i:concerts:m-1998' lt RowKey and RowKey ne 'i:concerts:m-1999'`,
  `PartitionKey eq 'hot' and (RowKey eq 'zzz' or RowKey eq 'i:concerts:m-5' or RowKey eq 'i:concerts:m-5')`,
  `PartitionKey eq 'hot' and RowKey gt 's:' and RowKey lt 'e:'`,
  `n eq 1 and not (RowKey lt 'p')`,
];

describe("Table queries on large partitions", () => {
  it.each(filters)("finds, page by page, what testing every row finds: %s", (filter) => {
    const m = model();
    // A term on another property leaves every row to be read and tested.
    const everyRow = allPages(m, `(${filter}) or n eq 99`, 1000);
    expect(allPages(m, filter, 1000)).toEqual(everyRow);
    expect(allPages(m, filter, 7)).toEqual(everyRow);
  });

  it("reads only the rows within the filter's RowKey ranges, however large the partition", () => {
    const m = model();
    const before = m.entitiesRead;
    const keys = allPages(m, filters[0], 1000);
    expect(keys).toEqual([...Array.from({ length: 11 }, (_, i) => `hot/${eventKey(1990 + i)}`), "hot/i:concerts:m-7"]);
    expect(m.entitiesRead - before).toBe(12);

    const sweep = m.entitiesRead;
    expect(allPages(m, filters[2], 1000)).toHaveLength(54);
    expect(m.entitiesRead - sweep).toBe(54);
  });

  it("orders Timestamps to the 7th fraction digit against literals of any precision, without parsing each row", () => {
    let ms = Date.parse("2026-12-07T16:00:00.000Z");
    const m = new TableModel(() => ms);
    m.apply(m.planCreateTable("events"));
    for (let n = 0; n < 500; n++) {
      ms += n % 2; // two rows per millisecond: they differ in the sub-millisecond digits
      m.apply(m.planInsert("events", `p${n % 7}`, `r${n}`, {}));
    }
    const after = (literal: string) =>
      m.query("events", parseFilter(`Timestamp ge datetime'${literal}'`), 1000, undefined).entities.length;
    const parse = vi.spyOn(Date, "parse");
    try {
      // Rows 199 to 499 are at .100 or later; row 199 is the first of that millisecond (sub-millisecond digits 0).
      expect(after("2026-12-07T16:00:00.100Z")).toBe(301);
      expect(after("2026-12-07T16:00:00.1Z")).toBe(301);
      expect(after("2026-12-07T16:00:00.1000001Z")).toBe(300);
      expect(after("2026-12-07T17:00:00.100+01:00")).toBe(301);
      expect(after("2026-12-07T16:00:00Z")).toBe(500);
      // Only the offset literal's query parses (both sides of each row's comparison); the four others parse nothing.
      expect(parse.mock.calls.length).toBeLessThanOrEqual(1010);
    } finally {
      parse.mockRestore();
    }
  });
});
