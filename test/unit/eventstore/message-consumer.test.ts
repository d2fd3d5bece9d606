import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createMessage } from "../../../src/events/catalog.js";
import type { OutboxRecord } from "../../../src/eventstore/event-store.js";
import { InMemoryEventStore } from "../../../src/eventstore/in-memory-event-store.js";
import type { StreamDefinition } from "../../../src/eventstore/stream-repository.js";
import { StreamRepository } from "../../../src/eventstore/stream-repository.js";
import { MessageConsumer } from "../../../src/messaging/message-consumer.js";
import { LatestStateRepository } from "../../../src/commands/latest-state-repository.js";

/** A tiny inventory: reserve while tickets are left, otherwise reject. */
type Inventory = { left: number; holders: string[] };
const inventory: StreamDefinition<Inventory, "TicketsReserved" | "ReservationRejected"> = {
  prefix: "inventory-",
  eventNames: ["TicketsReserved", "ReservationRejected"],
  snapshotSchemaVersion: 1,
  initial: () => ({ left: 3, holders: [] }),
  evolve: (s, e) => (e.name === "TicketsReserved" ? { left: s.left - e.data.quantity, holders: [...s.holders, e.data.purchaseId] } : s),
};

const reserve = (concertId: string, purchaseId: string, id = randomUUID()) =>
  createMessage("ReserveTickets", { concertId, purchaseId, tier: "standard", quantity: 1 }, { correlationId: `corr-${purchaseId}`, id, traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" });

function setup(relay?: (records: readonly OutboxRecord[]) => Promise<unknown>) {
  const store = new InMemoryEventStore();
  const delivered: OutboxRecord[] = [];
  const consumer = new MessageConsumer({ repository: new StreamRepository(store, 20), relay: { deliver: relay ?? (async (r) => delivered.push(...r)) } });
  const handle = (message: ReturnType<typeof reserve>) =>
    consumer.handle({
      consumer: "concerts",
      message,
      stream: inventory,
      id: message.data.concertId,
      decide: (state, { now }) =>
        state.holders.includes(message.data.purchaseId)
          ? {}
          : state.left >= message.data.quantity
            ? { events: [{ name: "TicketsReserved", data: { ...message.data, reservedAt: now.toISOString() } }] }
            : { events: [{ name: "ReservationRejected", data: { ...message.data, available: state.left, reason: "sold-out" } }] },
    });
  return { store, delivered, handle };
}

describe("MessageConsumer", () => {
  it("commits the decision's events caused by the message and hands them to the relay", async () => {
    const { store, delivered, handle } = setup();
    const message = reserve("c1", "p1");
    const outcome = await handle(message);
    expect(outcome).toMatchObject({ status: "handled", streamId: "inventory-c1", version: 1, attempts: 1 });
    const [stored] = (await store.readStream("inventory-c1")).events;
    expect(stored.event).toMatchObject({
      id: "inventory-c1:1",
      type: "MusicFest.Concerts.TicketsReserved.v1",
      subject: "inventory-c1",
      correlationid: "corr-p1",
      causationid: message.id,
      traceparent: message.traceparent,
    });
    expect(delivered).toEqual([expect.objectContaining({ channel: "events", partitionKey: "inventory-c1", message: stored.event })]);
    expect((await store.readStream("inventory-c1", { inbox: { consumer: "concerts", messageId: message.id } })).handled).toBe(true);
  });

  it("handles a redelivered message once", async () => {
    const { store, handle } = setup();
    const message = reserve("c1", "p1");
    await handle(message);
    expect(await handle(message)).toEqual({ status: "duplicate", streamId: "inventory-c1" });
    expect((await store.readStream("inventory-c1")).version).toBe(1);
  });

  it("writes nothing when the decision is empty", async () => {
    const { store, handle } = setup();
    await handle(reserve("c1", "p1"));
    // Another message for the same purchase: the domain says it changes nothing.
    expect(await handle(reserve("c1", "p1"))).toMatchObject({ status: "unchanged", version: 1 });
    expect(store.commits).toBe(1);
  });

  it("decides again on a fresh state when concurrent writers win: exactly the available tickets are reserved", async () => {
    const { store, handle } = setup();
    const outcomes = await Promise.all(Array.from({ length: 6 }, (_, i) => handle(reserve("c1", `p${i}`))));
    expect(outcomes.every((o) => o.status === "handled")).toBe(true);
    expect(Math.max(...outcomes.map((o) => (o.status === "handled" ? o.attempts : 0)))).toBeGreaterThan(1);
    const names = (await store.readStream("inventory-c1")).events.map((e) => e.event.type.split(".")[2]);
    expect(names.filter((n) => n === "TicketsReserved")).toHaveLength(3);
    expect(names.filter((n) => n === "ReservationRejected")).toHaveLength(3);
  });

  it("gives up after the bounded number of attempts", async () => {
    const store = new InMemoryEventStore();
    const repository = new StreamRepository(store);
    const consumer = new MessageConsumer({ repository, maxAttempts: 2 });
    const message = reserve("c1", "p1");
    let decisions = 0;
    const attempt = consumer.handle({
      consumer: "concerts",
      message,
      stream: inventory,
      id: "c1",
      decide: () => {
        decisions++;
        // Someone else writes the stream between our load and our commit, every time.
        void store.commit({ streamId: "inventory-c1", expectedVersion: decisions - 1, events: [createMessage("ReservationRejected", { ...message.data, available: 0, reason: "sold-out" }, { correlationId: "x" })] });
        return { events: [{ name: "TicketsReserved", data: { ...message.data, reservedAt: new Date().toISOString() } }] };
      },
    });
    await expect(attempt).rejects.toMatchObject({ name: "WrongExpectedVersionError" });
    expect(decisions).toBe(2);
  });

  it("keeps the commit when the relay fails; the records stay pending for the sweeper", async () => {
    const { store, handle } = setup(async () => {
      throw new Error("Service Bus unreachable");
    });
    expect(await handle(reserve("c1", "p1"))).toMatchObject({ status: "handled" });
    expect(await store.pendingOutbox()).toHaveLength(1);
  });

  it("starts from the stream its caller loaded with the inbox check, reading nothing more; races still caught", async () => {
    const store = new InMemoryEventStore();
    let reads = 0;
    const readStream: typeof store.readStream = (...a) => (reads++, store.readStream(...a));
    const counting = Object.assign(Object.create(store) as InMemoryEventStore, { readStream });
    const repository = new StreamRepository(counting, 20);
    const consumer = new MessageConsumer({ repository });
    const reservedAt = "2026-01-01T00:00:00.000Z";
    const handleLoaded = async (message: ReturnType<typeof reserve>) => {
      const loaded = await repository.load(inventory, "c9", { inbox: { consumer: "concerts", messageId: message.id } });
      const events = [{ name: "TicketsReserved" as const, data: { ...message.data, reservedAt } }];
      const handle = () => consumer.handle({ consumer: "concerts", message, stream: inventory, id: "c9", loaded, decide: () => ({ events }) });
      return { loaded, handle };
    };

    const first = await handleLoaded(reserve("c9", "p1"));
    reads = 0;
    expect(await first.handle()).toMatchObject({ status: "handled", version: 1, attempts: 1 });
    expect(reads).toBe(0);

    // Loaded, then someone else committed: the version conflict reloads and decides again.
    const late = await handleLoaded(reserve("c9", "p2"));
    await (await handleLoaded(reserve("c9", "p3"))).handle();
    expect(await late.handle()).toMatchObject({ status: "handled", version: 3, attempts: 2 });
    // Loaded before a copy of the same message committed: a duplicate.
    const copy = reserve("c9", "p4");
    const [a, b] = [await handleLoaded(copy), await handleLoaded(copy)];
    expect(await a.handle()).toMatchObject({ status: "handled" });
    expect(await b.handle()).toMatchObject({ status: "duplicate" });
    expect((await store.readStream("inventory-c9")).version).toBe(4);
  });

  describe("on a stream this process remembers", () => {
    /** One instance of the app: its own repository (remembered states) over the shared store, counting its reads. */
    function instance(store: InMemoryEventStore) {
      const counter = { reads: 0 };
      const readStream: typeof store.readStream = (...a) => (counter.reads++, store.readStream(...a));
      const counting = Object.assign(Object.create(store) as InMemoryEventStore, { readStream });
      const repository = new LatestStateRepository(counting, 20);
      const consumer = new MessageConsumer({ repository });
      // Refuses purchase "second" as the first holder (a refusal that depends on the state, as SoldOut does).
      const handle = (message: ReturnType<typeof reserve>) =>
        consumer.handle({
          consumer: "concerts",
          message,
          stream: inventory,
          id: message.data.concertId,
          decide: (state, { now }) => {
            if (message.data.purchaseId === "second" && state.holders.length === 0) throw new Error("not first");
            if (state.holders.includes(message.data.purchaseId)) return {};
            const data = { ...message.data, reservedAt: now.toISOString() };
            return state.left >= 1
              ? { events: [{ name: "TicketsReserved", data }] }
              : { events: [{ name: "ReservationRejected", data: { ...message.data, available: 0, reason: "sold-out" as const } }] };
          },
        });
      return { counter, handle };
    }

    it("decides without reading it: the commit is the only request", async () => {
      const a = instance(new InMemoryEventStore());
      await a.handle(reserve("c1", "p1"));
      a.counter.reads = 0;
      expect(await a.handle(reserve("c1", "p2"))).toMatchObject({ status: "handled", version: 2 });
      expect(await a.handle(reserve("c1", "p3"))).toMatchObject({ status: "handled", version: 3 });
      expect(a.counter.reads).toBe(0);
    });

    it("when another instance wrote meanwhile, decides again on a read: the last ticket is sold once", async () => {
      const store = new InMemoryEventStore();
      const [a, b] = [instance(store), instance(store)];
      await a.handle(reserve("c1", "p1"));
      await a.handle(reserve("c1", "p2"));
      await b.handle(reserve("c1", "p3")); // the last ticket, sold by B; A remembers one left
      expect(await a.handle(reserve("c1", "p4"))).toMatchObject({ status: "handled", version: 4, attempts: 2 });
      const { events } = await store.readStream("inventory-c1");
      const names = events.map((e) => e.event.type.split(".")[2]);
      expect(names).toEqual(["TicketsReserved", "TicketsReserved", "TicketsReserved", "ReservationRejected"]);
    });

    it("a redelivery, a no-op and a refusal made on a remembered state are checked on a read", async () => {
      const store = new InMemoryEventStore();
      const [a, b] = [instance(store), instance(store)];
      const first = reserve("c1", "p1");
      await a.handle(first);
      // Redelivered: the commit's inbox row finds it; nothing more is written.
      expect(await a.handle(first)).toMatchObject({ status: "duplicate" });
      // Another message for a holder already in the state: no change, confirmed on a read.
      expect(await a.handle(reserve("c1", "p1"))).toMatchObject({ status: "unchanged", version: 1 });
      // A remembers c2 with no holder; B then reserves there: A's refusal is reconsidered on a read.
      await expect(a.handle(reserve("c2", "second"))).rejects.toThrow("not first");
      await b.handle(reserve("c2", "p0"));
      expect(await a.handle(reserve("c2", "second"))).toMatchObject({ status: "handled", version: 2 });
      expect((await store.readStream("inventory-c1")).version).toBe(1);
    });
  });
});
