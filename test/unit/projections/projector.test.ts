import { describe, expect, it } from "vitest";
import { InvalidMessageError } from "../../../src/events/catalog.js";
import { InMemoryEventStore } from "../../../src/eventstore/in-memory-event-store.js";
import { ListedEventHistory } from "../../../src/projections/event-history.js";
import { Projector } from "../../../src/projections/projector.js";
import { type ReadModel, readModelNamed, readModels } from "../../../src/projections/read-models.js";
import { compareReadModels, rebuildReadModel, swapInRebuilt } from "../../../src/projections/rebuild.js";
import { decodeView } from "../../../src/projections/row-codec.js";
import { InMemoryRowStore } from "../../../src/projections/row-store.js";
import { append, cancelled, completed, fan, placed, rejected, released, reserved, scheduled } from "./fixtures.js";

function setup() {
  const store = new InMemoryEventStore();
  const tables = new Map<string, InMemoryRowStore>();
  const table = (m: ReadModel) => tables.get(m.name) ?? tables.set(m.name, new InMemoryRowStore(m.table)).get(m.name)!;
  // A second instance on the same tables, as a scaled-out Functions app has: the two race on rows' ETags.
  return { store, table, projector: new Projector(table, store), other: new Projector(table, store) };
}

const row = async (rows: InMemoryRowStore, pk: string, rk: string) => {
  const found = await rows.get(pk, rk);
  return found && decodeView<Record<string, any>>(found.properties);
};

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe("Projector (read models kept from the event bus)", () => {
  it("applies events in order, and skips a redelivered one", async () => {
    const { store, table, projector } = setup();
    const [first, second] = await append(store, "purchase-p1", [placed("p1", "vip", 2), completed("p1", "vip", 2)]);
    const one = await projector.handle(JSON.stringify(first));
    expect(one.outcomes.map((o) => [o.readModel, o.outcome.status, o.outcome.version])).toEqual([
      ["purchase-status", "applied", 1],
      ["fan-purchases", "applied", 1],
    ]);
    const two = await projector.handle(second);
    expect(two.outcomes.map((o) => [o.readModel, o.outcome.status, o.outcome.version])).toEqual([
      ["purchase-status", "applied", 2],
      ["fan-purchases", "applied", 2],
      ["concert-sales", "applied", 1],
    ]);
    const again = await projector.handle(second);
    expect(again.outcomes.map((o) => o.outcome.status)).toEqual(["skipped", "skipped", "skipped"]);
    expect(await row(table(readModelNamed("purchase-status")!), "p1", "status")).toMatchObject({ status: "completed", version: 2, ticketIds: ["p1-t1", "p1-t2"] });
    expect(await row(table(readModelNamed("concert-sales")!), "rock-night", "totals")).toMatchObject({ ticketsSold: 2, revenueCents: 30_000, version: 1 });
  });

  it("fills a gap from the event store when a later event arrives first, then skips the late one", async () => {
    const { store, table, projector } = setup();
    const [first, second] = await append(store, "purchase-p2", [placed("p2", "standard", 1), cancelled("p2", "standard", 1)]);
    const early = await projector.handle(second);
    expect(early.outcomes[0]).toEqual({ readModel: "purchase-status", outcome: { status: "caught-up", version: 2, read: 2, attempts: 1 } });
    expect(await row(table(readModelNamed("purchase-status")!), "p2", "status")).toMatchObject({ status: "cancelled", reason: "payment-declined", version: 2 });
    const late = await projector.handle(first);
    expect(late.outcomes.map((o) => o.outcome.status)).toEqual(["skipped", "skipped"]);
    expect(await row(table(readModelNamed("fan-purchases")!), "fan-1", "p2")).toMatchObject({ status: "cancelled", version: 2 });
  });

  it("ends at the stream's state whatever the order and duplication of deliveries, with racing instances", async () => {
    const { store, table, projector, other } = setup();
    const events = await append(store, "concert-rock-night", [
      scheduled({ standard: 10, vip: 2 }),
      reserved("a", "vip", 2),
      reserved("b", "standard", 4),
      rejected("c", "vip", 1, 0),
      released("a", "vip", 2),
      reserved("d", "standard", 3),
      reserved("e", "vip", 1),
      released("b", "standard", 4),
    ]);
    for (const seed of [1, 2, 3]) {
      const deliveries = shuffled([...events, ...events.slice(2, 5)], seed);
      // Two instances at once, each taking every other delivery, each handling its deliveries concurrently.
      await Promise.all([projector, other].map((instance, k) => Promise.all(deliveries.filter((_, i) => i % 2 === k).map((e) => instance.handle(e)))));
      expect(await row(table(readModelNamed("concert-availability")!), "rock-night", "availability")).toMatchObject({ ticketsLeft: { standard: 7, vip: 1 }, version: 8 });
    }
  });

  it("counts each completed purchase once in the sales, even delivered twice at the same moment", async () => {
    const { store, table, projector, other } = setup();
    const done = await Promise.all(["p1", "p2", "p3"].map(async (id, i) => (await append(store, `purchase-${id}`, [placed(id, i === 2 ? "vip" : "standard", 2), completed(id, i === 2 ? "vip" : "standard", 2)]))[1]));
    await Promise.all([...done.map((e) => projector.handle(e)), ...done.map((e) => other.handle(e)), ...done.map((e) => projector.handle(e))]);
    expect(await row(table(readModelNamed("concert-sales")!), "rock-night", "totals")).toEqual({
      concertId: "rock-night",
      tiers: { standard: { ticketsSold: 4, revenueCents: 20_000 }, vip: { ticketsSold: 2, revenueCents: 30_000 } },
      ticketsSold: 6,
      revenueCents: 50_000,
      purchases: 3,
      version: 3,
    });
  });

  it("refuses a body that is not a domain event with its stream position, and ignores a look-alike stream", async () => {
    const { store, projector } = setup();
    await expect(projector.handle("not json")).rejects.toThrow(InvalidMessageError);
    const [event] = await append(store, "purchase-p9", [placed("p9", "vip", 1)]);
    await expect(projector.handle({ ...event, id: "something-else" })).rejects.toThrow(/stream position/);
    // The purchase process keeps a copy of PurchasePlaced in its own stream: not a purchase stream.
    const copy = { ...event, id: "purchase-process-p9:1", subject: "purchase-process-p9" };
    expect((await projector.handle(copy)).outcomes).toEqual([]);
  });

  it("rebuilds from the event store a model equal to the live one, and a swap repairs a damaged live table", async () => {
    const { store, table, projector } = setup();
    const streams: string[] = ["concert-rock-night"];
    const all = [...(await append(store, "concert-rock-night", [scheduled()]))];
    for (const [i, id] of ["p1", "p2", "p3", "p4"].entries()) {
      const buyer = { ...fan, id: `fan-${i % 2}` };
      streams.push(`purchase-${id}`, `purchase-process-${id}`);
      all.push(...(await append(store, "concert-rock-night", [reserved(id, "standard", 1)])));
      all.push(...(await append(store, `purchase-${id}`, [placed(id, "standard", 1, buyer), ...(i === 3 ? [cancelled(id, "standard", 1, buyer)] : [completed(id, "standard", 1, buyer)])])));
      await append(store, `purchase-process-${id}`, [placed(id, "standard", 1, buyer)]);
    }
    for (const e of shuffled(all, 7)) await projector.handle(e);
    const history = new ListedEventHistory(store, streams);
    for (const model of readModels) {
      const fresh = new InMemoryRowStore(`${model.table}rebuild`);
      const result = await rebuildReadModel(model, history, fresh);
      expect(result.events).toBeGreaterThan(0);
      expect(await compareReadModels(table(model), fresh)).toMatchObject({ equal: true, differences: [] });
    }
    // Damage the live purchase status: one row wrong, one row gone, one row that has no events behind it.
    const live = table(readModelNamed("purchase-status")!);
    const p1 = (await live.get("p1", "status"))!;
    await live.put("p1", "status", { ...p1.properties, status: "pending" });
    await live.delete("p2", "status");
    await live.put("ghost", "status", { status: "completed", version: 2, streamId: "purchase-ghost" });
    const startedAt = new Date(Date.now() + 1_000); // the damage happened before this rebuild started
    const fresh = new InMemoryRowStore("rebuilt");
    await rebuildReadModel(readModelNamed("purchase-status")!, history, fresh);
    const before = await compareReadModels(live, fresh);
    expect(before.differences.map((d) => [d.partitionKey, d.kind]).sort()).toEqual([["ghost", "extra"], ["p1", "different"], ["p2", "missing"]]);
    expect(await swapInRebuilt(live, fresh, startedAt)).toEqual({ written: 2, deleted: 1, keptNewer: 0, raced: 0 });
    expect((await compareReadModels(live, fresh)).equal).toBe(true);
  });
});
