/**
 * The Table endpoint's journal: what it replays after a restart is what was recorded, after a compaction (the log
 * rewritten as a snapshot) as before it, and a record torn by a crash mid-write is dropped without losing the ones
 * before it.
 */
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { createLogger } from "../../../emulator/common/logger.js";
import { TableJournal } from "../../../emulator/tables/table-journal.js";
import { TableModel } from "../../../emulator/tables/table-model.js";

const dir = mkdtempSync(path.join(tmpdir(), "table-journal-"));
const logger = createLogger("silent");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(model: TableModel, journal: TableJournal, rowKey: string, n: number): void {
  const change = model.planUpdate("things", "p", rowKey, { n: { type: "Edm.Int32", value: n } }, "replace", undefined);
  model.apply(change);
  journal.record([change]);
}

function rows(model: TableModel): [string, unknown][] {
  return model.query("things", undefined, 1000, undefined).entities.map((e) => [e.rowKey, e.properties.n.value]);
}

it("replays the same tables and entities after a compaction and after a torn last record", async () => {
  let model = new TableModel(() => Date.now());
  let journal = TableJournal.open(dir, model, logger);
  const create = model.planCreateTable("things");
  model.apply(create);
  journal.record([create]);
  for (let i = 0; i < 50; i++) write(model, journal, `r${i % 5}`, i);
  model.apply(model.planDelete("things", "p", "r4", undefined));
  journal.record([{ t: "delete", table: "things", partitionKey: "p", rowKey: "r4" }]);
  await journal.durable();
  const expected = [["r0", 45], ["r1", 46], ["r2", 47], ["r3", 48]];
  expect(rows(model)).toEqual(expected);
  journal.compact();
  write(model, journal, "r9", 99);
  await journal.durable();
  journal.close();
  // A crash in the middle of the next write: its frame is cut short.
  appendFileSync(path.join(dir, "tables.log"), Buffer.from([200, 0, 0, 0, 1, 2, 3]));

  model = new TableModel(() => Date.now());
  journal = TableJournal.open(dir, model, logger);
  expect(rows(model)).toEqual([...expected, ["r9", 99]]);
  journal.close();
});
