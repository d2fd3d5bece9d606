import { describe, expect, it } from "vitest";
import { InMemoryEventStore } from "../../../src/eventstore/in-memory-event-store.js";
import { Projector } from "../../../src/projections/projector.js";
import type { ReadModel } from "../../../src/projections/read-models.js";
import { RowCache } from "../../../src/projections/row-cache.js";
import { decodeView } from "../../../src/projections/row-codec.js";
import { InMemoryRowStore, type RowWrite, type WrittenRow } from "../../../src/projections/row-store.js";
import { append, completed, placed } from "./fixtures.js";

/** The in-memory store, counting what a projection asks of it. */
class CountingRowStore extends InMemoryRowStore {
  gets = 0;
  writes = 0;
  failedWrites = 0;

  override async get(partitionKey: string, rowKey: string) {
    this.gets++;
    return super.get(partitionKey, rowKey);
  }

  override async write(partitionKey: string, writes: readonly RowWrite[]): Promise<WrittenRow[]> {
    this.writes++;
    try {
      return await super.write(partitionKey, writes);
    } catch (err) {
      this.failedWrites++;
      throw err;
    }
  }

  reset(): void {
    this.gets = this.writes = this.failedWrites = 0;
  }
}

function setup() {
  const store = new InMemoryEventStore();
  const tables = new Map<string, CountingRowStore>();
  const table = (m: ReadModel | string) => {
    const name = typeof m === "string" ? m : m.table;
    return tables.get(name) ?? tables.set(name, new CountingRowStore(name)).get(name)!;
  };
  // Two instances of the app on the same tables, each with its own cache.
  return { store, table, projector: new Projector(table, store), other: new Projector(table, store) };
}

const status = async (rows: CountingRowStore, purchaseId: string) => {
  const found = await rows.get(purchaseId, "status");
  return found && decodeView<Record<string, unknown>>(found.properties);
};

describe("Projections write without reading when they can (row-cache.ts)", () => {
  it("inserts a stream's first row and replaces a row it wrote last without reading either", async () => {
    const { store, table, projector } = setup();
    const [first, second] = await append(store, "purchase-p1", [placed("p1", "standard", 1), completed("p1", "standard", 1)]);
    await projector.handle(first);
    await projector.handle(second);
    const rows = table("purchasestatus");
    expect({ gets: rows.gets, writes: rows.writes, failed: rows.failedWrites }).toEqual({ gets: 0, writes: 2, failed: 0 });
    expect(await status(rows, "p1")).toMatchObject({ status: "completed", version: 2 });
  });

  it("after another instance wrote the row, the stale guess fails its write, the row is read, and the event skipped", async () => {
    const { store, table, projector, other } = setup();
    const [first, second] = await append(store, "purchase-p2", [placed("p2", "standard", 1), completed("p2", "standard", 1)]);
    await projector.handle(first);
    await other.handle(second);
    const rows = table("purchasestatus");
    rows.reset();
    const redelivered = await projector.handle(second);
    expect(redelivered.outcomes.find((o) => o.readModel === "purchase-status")?.outcome).toMatchObject({ status: "skipped", version: 2 });
    expect({ gets: rows.gets, failed: rows.failedWrites }).toEqual({ gets: 1, failed: 1 });
    expect(await status(rows, "p2")).toMatchObject({ status: "completed", version: 2 });
  });

  it("a redelivered first event, on an instance that never saw the row, fails its insert and is skipped", async () => {
    const { store, table, projector, other } = setup();
    const [first] = await append(store, "purchase-p3", [placed("p3", "vip", 2)]);
    await projector.handle(first);
    const again = await other.handle(first);
    expect(again.outcomes.map((o) => o.outcome.status)).toEqual(["skipped", "skipped"]);
    expect(table("purchasestatus").failedWrites).toBe(1);
  });

  it("confirms a skip the cache suggests by reading: a row gone since (a rebuild dropped it) is written again", async () => {
    const { store, table, projector } = setup();
    const [first, second] = await append(store, "purchase-p4", [placed("p4", "standard", 1), completed("p4", "standard", 1)]);
    await projector.handle(first);
    await projector.handle(second);
    const rows = table("purchasestatus");
    await rows.delete("p4", "status");
    const outcome = await projector.handle(second);
    // The cache said version 2 (skip); the read found no row, so the stream was read from the store and applied.
    expect(outcome.outcomes.find((o) => o.readModel === "purchase-status")?.outcome).toMatchObject({ status: "caught-up", version: 2 });
    expect(await status(rows, "p4")).toMatchObject({ status: "completed", version: 2 });
  });

  it("counts sales without reading the markers; a purchase counted before fails the guess and is not counted twice", async () => {
    const { store, table, projector, other } = setup();
    const [, done5] = await append(store, "purchase-p5", [placed("p5", "standard", 1), completed("p5", "standard", 1)]);
    const [, done6] = await append(store, "purchase-p6", [placed("p6", "vip", 1), completed("p6", "vip", 1)]);
    await projector.handle(done5);
    const sales = table("concertsales");
    expect({ gets: sales.gets, failed: sales.failedWrites }).toEqual({ gets: 1, failed: 0 });
    sales.reset();
    // The other instance has never written the totals: p5 again (counted) and p6 (new), in one batch.
    await Promise.all([other.handle(done5), other.handle(done6)]);
    expect(sales.failedWrites).toBe(1);
    const totals = decodeView<Record<string, unknown>>((await sales.get("rock-night", "totals"))!.properties);
    expect(totals).toMatchObject({ purchases: 2, ticketsSold: 2, revenueCents: 20_000 });
  });
});

describe("RowCache", () => {
  it("forgets the least recently used row beyond its capacity, and a row written without an ETag", () => {
    const cache = new RowCache(2);
    cache.set("t", "p", "a", "e1", { n: 1 });
    cache.set("t", "p", "b", "e2", { n: 2 });
    expect(cache.get("t", "p", "a")?.etag).toBe("e1");
    cache.set("t", "p", "c", "e3", { n: 3 });
    expect([cache.get("t", "p", "a")?.etag, cache.get("t", "p", "b"), cache.get("t", "p", "c")?.etag]).toEqual(["e1", undefined, "e3"]);
    cache.set("t", "p", "a", undefined, { n: 4 });
    expect(cache.get("t", "p", "a")).toBeUndefined();
    cache.forget("t", "p", "c");
    expect(cache.size).toBe(0);
  });
});
