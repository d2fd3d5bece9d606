/**
 * The event store contract: the same tests against every implementation (in memory here, Table Storage on Azurite
 * in test/system/event-store-table.test.ts). Each test uses its own stream ids, so one table serves the whole file.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createMessage } from "../../../src/events/catalog.js";
import type { CloudEvent } from "../../../src/events/envelope.js";
import { DuplicateMessageError, type EventStore, type OutboxMessage, WrongExpectedVersionError } from "../../../src/eventstore/event-store.js";
import { type StreamDefinition, StreamRepository } from "../../../src/eventstore/stream-repository.js";

export interface ContractSubject {
  store: EventStore;
  /** Move the store's clock (it stamps outbox records with it). */
  advance(ms: number): void;
}

const context = { correlationId: "contract-test" };

export function reserved(concertId: string, n: number, eventId = randomUUID()): CloudEvent {
  return createMessage("TicketsReserved", { concertId, purchaseId: `p-${n}`, tier: "standard", quantity: 1, reservedAt: "2025-06-01T10:00:00.000Z" }, { ...context, id: eventId });
}

export function command(purchaseId: string, id = randomUUID()): OutboxMessage {
  return { channel: "commands", message: createMessage("CapturePayment", { purchaseId, fanId: "fan-1", amountCents: 4200 }, { ...context, id }), sessionId: purchaseId };
}

/** A stream that counts its reservations (and remembers their purchases, to check the fold's order). */
export const counterStream: StreamDefinition<{ purchases: string[] }, "TicketsReserved"> = {
  prefix: "contract-",
  eventNames: ["TicketsReserved"],
  snapshotSchemaVersion: 1,
  initial: () => ({ purchases: [] }),
  evolve: (state, event) => ({ purchases: [...state.purchases, event.data.purchaseId] }),
};

const purchaseStream: StreamDefinition<{ fanEmail?: string; tier?: string; unitPriceCents?: number }, "PurchasePlaced"> = {
  prefix: "purchase-",
  eventNames: ["PurchasePlaced"],
  snapshotSchemaVersion: 1,
  initial: () => ({}),
  evolve: (_state, event) => ({ fanEmail: event.data.fan.email, tier: event.data.tier, unitPriceCents: event.data.unitPriceCents }),
};

const fixture = (name: string): CloudEvent => JSON.parse(readFileSync(new URL(`../../fixtures/eventstore/${name}`, import.meta.url), "utf8")) as CloudEvent;

export function eventStoreContract(name: string, subject: () => ContractSubject): void {
  describe(`${name}: the event store contract`, () => {
    const newStream = (): string => `contract-${randomUUID()}`;

    it("appends events and reads them back in order, from any version", async () => {
      const { store } = subject();
      const streamId = newStream();
      expect(await store.readStream(streamId)).toEqual({ version: 0, events: [] });
      const first = [reserved(streamId, 1), reserved(streamId, 2)];
      expect((await store.commit({ streamId, expectedVersion: 0, events: first })).version).toBe(2);
      const third = reserved(streamId, 3);
      expect((await store.commit({ streamId, expectedVersion: 2, events: [third] })).version).toBe(3);

      const all = await store.readStream(streamId);
      expect(all.version).toBe(3);
      expect(all.events.map((e) => [e.streamId, e.version, e.event])).toEqual([
        [streamId, 1, first[0]],
        [streamId, 2, first[1]],
        [streamId, 3, third],
      ]);
      const tail = await store.readStream(streamId, { afterVersion: 2 });
      expect(tail.version).toBe(3);
      expect(tail.events.map((e) => e.event.id)).toEqual([third.id]);
    });

    it("lets exactly one of two concurrent writers at the same version win", async () => {
      const { store } = subject();
      const streamId = newStream();
      await store.commit({ streamId, expectedVersion: 0, events: [reserved(streamId, 1)] });
      const a = reserved(streamId, 2);
      const b = reserved(streamId, 3);
      const results = await Promise.allSettled([
        store.commit({ streamId, expectedVersion: 1, events: [a], outbox: [command("a")] }),
        store.commit({ streamId, expectedVersion: 1, events: [b], outbox: [command("b")] }),
      ]);
      const won = results.filter((r) => r.status === "fulfilled");
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0].reason).toBeInstanceOf(WrongExpectedVersionError);
      expect(lost[0].reason).toMatchObject({ streamId, expectedVersion: 1 });
      const { version, events } = await store.readStream(streamId);
      expect(version).toBe(2);
      const winner = results[0].status === "fulfilled" ? a : b;
      expect(events[1].event.id).toBe(winner.id);
      const pending = (await store.pendingOutbox()).filter((r) => r.streamId === streamId);
      expect(pending.map((r) => r.message.data)).toEqual([expect.objectContaining({ purchaseId: winner === a ? "a" : "b" })]);
    });

    it("refuses a writer behind or ahead of the stream", async () => {
      const { store } = subject();
      const streamId = newStream();
      await store.commit({ streamId, expectedVersion: 0, events: [reserved(streamId, 1), reserved(streamId, 2), reserved(streamId, 3)] });
      await expect(store.commit({ streamId, expectedVersion: 1, events: [reserved(streamId, 4)] })).rejects.toBeInstanceOf(WrongExpectedVersionError);
      await expect(store.commit({ streamId, expectedVersion: 5, events: [reserved(streamId, 4)] })).rejects.toBeInstanceOf(WrongExpectedVersionError);
      await expect(store.commit({ streamId: newStream(), expectedVersion: 2, events: [reserved(streamId, 4)] })).rejects.toBeInstanceOf(WrongExpectedVersionError);
      expect((await store.readStream(streamId)).version).toBe(3);
    });

    it("loads from the latest snapshot plus only the events after it", async () => {
      const { store } = subject();
      const repository = new StreamRepository(store, 5);
      const id = randomUUID();
      let loaded = await repository.load(counterStream, id);
      for (let n = 1; n <= 12; n++) loaded = (await repository.save(loaded, { events: [reserved(loaded.streamId, n)] })).loaded;
      const snapshot = await store.readSnapshot(loaded.streamId);
      expect(snapshot).toMatchObject({ streamId: loaded.streamId, version: 10, schemaVersion: 1 });

      const fromSnapshot = await repository.load(counterStream, id);
      expect(fromSnapshot).toMatchObject({ version: 12, snapshotVersion: 10, eventsRead: 2 });
      const everyPurchase = Array.from({ length: 12 }, (_, i) => `p-${i + 1}`);
      expect(fromSnapshot.state.purchases).toEqual(everyPurchase);

      // A snapshot of an older state shape is ignored: the whole stream is replayed.
      const reshaped = await repository.load({ ...counterStream, snapshotSchemaVersion: 2 }, id);
      expect(reshaped).toMatchObject({ version: 12, eventsRead: 12 });
      expect(reshaped.snapshotVersion).toBeUndefined();
      expect(reshaped.state.purchases).toEqual(everyPurchase);
    });

    it("loads a stream shorter than a snapshot's span, with its inbox check, in one read", async () => {
      const { store } = subject();
      const reads = countReads(store);
      const repository = new StreamRepository(reads.store, 5);
      const id = randomUUID();
      const streamId = counterStream.prefix + id;
      const events = [1, 2, 3].map((n) => reserved(streamId, n));
      await store.commit({ streamId, expectedVersion: 0, events, inbox: { consumer: "contract", messageId: "m-1" } });

      const handled = await repository.load(counterStream, id, { inbox: { consumer: "contract", messageId: "m-1" } });
      const fresh = await repository.load(counterStream, id, { inbox: { consumer: "contract", messageId: "m-2" } });
      const empty = await repository.load(counterStream, randomUUID());

      const purchases = ["p-1", "p-2", "p-3"];
      expect(handled).toMatchObject({ version: 3, handled: true, eventsRead: 3, state: { purchases } });
      expect(fresh).toMatchObject({ version: 3, handled: false });
      expect(empty).toMatchObject({ version: 0, eventsRead: 0, state: { purchases: [] } });
      expect(reads.count).toBe(3);
    });

    it("loads a longer stream in two reads, from its snapshot or, without one, from the start", async () => {
      const { store } = subject();
      const id = randomUUID();
      const writer = new StreamRepository(store, 5);
      let loaded = await writer.load(counterStream, id);
      for (let n = 1; n <= 7; n++) loaded = (await writer.save(loaded, { events: [reserved(loaded.streamId, n)] })).loaded;
      const everyPurchase = Array.from({ length: 7 }, (_, i) => `p-${i + 1}`);

      const reads = countReads(store);
      const reader = new StreamRepository(reads.store, 5);
      const fromSnapshot = await reader.load(counterStream, id, { inbox: { consumer: "contract", messageId: "m" } });
      const state = { purchases: everyPurchase };
      expect(fromSnapshot).toMatchObject({ version: 7, snapshotVersion: 5, eventsRead: 2, handled: false, state });
      expect(reads.count).toBe(2);
      // A snapshot of another shape is skipped: the first read's events, then the rest.
      const replayed = await reader.load({ ...counterStream, snapshotSchemaVersion: 9 }, id);
      expect(replayed).toMatchObject({ version: 7, eventsRead: 7, state });
      expect(reads.count).toBe(4);
    });

    it("snapshots when a commit of several events crosses a multiple of N", async () => {
      const { store } = subject();
      const repository = new StreamRepository(store, 4);
      const id = randomUUID();
      const loaded = await repository.load(counterStream, id);
      const first = await repository.save(loaded, { events: [1, 2, 3].map((n) => reserved(loaded.streamId, n)) });
      expect(await store.readSnapshot(loaded.streamId)).toBeUndefined();
      await repository.save(first.loaded, { events: [4, 5].map((n) => reserved(loaded.streamId, n)) });
      expect(await store.readSnapshot(loaded.streamId)).toMatchObject({ version: 5, state: { state: { purchases: ["p-1", "p-2", "p-3", "p-4", "p-5"] } } });
    });

    it("reads a stored v1 PurchasePlaced as v2 (upcasting)", async () => {
      const { store } = subject();
      const v1 = fixture("purchase-placed-v1.json");
      const id = `legacy-${randomUUID()}`;
      await store.commit({ streamId: `purchase-${id}`, expectedVersion: 0, events: [v1] });
      expect((await store.readStream(`purchase-${id}`)).events[0].event.type).toBe("MusicFest.Purchases.PurchasePlaced.v1");

      const loaded = await new StreamRepository(store).load(purchaseStream, id);
      expect(loaded.state).toEqual({ fanEmail: "ada@example.com", tier: "standard", unitPriceCents: 4500 });
      let seen: unknown;
      await new StreamRepository(store).load({ ...purchaseStream, evolve: (s, e) => ((seen = e), s) }, id);
      expect(seen).toMatchObject({
        name: "PurchasePlaced",
        data: { purchaseId: "legacy-0001", fan: { id: "fan-42", email: "ada@example.com" }, tier: "standard", quantity: 3, unitPriceCents: 4500, totalCents: 13500 },
        message: { id: v1.id, type: "MusicFest.Purchases.PurchasePlaced.v2", correlationid: "legacy-request-0001" },
      });
    });

    it("refuses a second commit of the same message by the same consumer (inbox)", async () => {
      const { store } = subject();
      const streamId = newStream();
      const inbox = { consumer: "concerts", messageId: randomUUID() };
      expect((await store.readStream(streamId, { inbox })).handled).toBe(false);
      await store.commit({ streamId, expectedVersion: 0, events: [reserved(streamId, 1)], inbox });
      expect((await store.readStream(streamId, { inbox })).handled).toBe(true);
      expect((await store.readStream(streamId, { inbox: { ...inbox, consumer: "payments" } })).handled).toBe(false);

      const again = store.commit({ streamId, expectedVersion: 1, events: [reserved(streamId, 2)], outbox: [command("dup")], inbox });
      await expect(again).rejects.toBeInstanceOf(DuplicateMessageError);
      await expect(again).rejects.toMatchObject({ streamId, inbox });
      // A duplicate at a stale version is still reported as a duplicate: it was handled, nothing to retry.
      await expect(store.commit({ streamId, expectedVersion: 0, events: [reserved(streamId, 2)], inbox })).rejects.toBeInstanceOf(DuplicateMessageError);
      expect((await store.readStream(streamId)).version).toBe(1);
      expect((await store.pendingOutbox()).filter((r) => r.streamId === streamId)).toEqual([]);

      await store.commit({ streamId, expectedVersion: 1, events: [reserved(streamId, 2)], inbox: { ...inbox, consumer: "payments" } });
      expect((await store.readStream(streamId)).version).toBe(2);
    });

    it("keeps outbox records pending, oldest first, until they are marked sent", async () => {
      const { store, advance } = subject();
      const s1 = newStream();
      const s2 = newStream();
      const mine = (records: { streamId: string }[]) => records.filter((r) => r.streamId === s1 || r.streamId === s2);
      const event = reserved(s1, 1);
      const c1 = await store.commit({ streamId: s1, expectedVersion: 0, events: [event], outbox: [{ channel: "events", message: event, partitionKey: s1 }, command("p1")] });
      advance(5_000);
      const scheduled: OutboxMessage = { ...command("p2"), scheduledFor: "2030-01-01T00:00:00.000Z" };
      const c2 = await store.commit({ streamId: s2, expectedVersion: 0, events: [reserved(s2, 1)], outbox: [scheduled] });
      expect(c1.outbox.map((r) => r.message.id)).toEqual([event.id, c1.outbox[1].message.id]);
      expect(c2.outbox[0]).toMatchObject({ streamId: s2, channel: "commands", sessionId: "p2", scheduledFor: "2030-01-01T00:00:00.000Z" });

      const pending = mine(await store.pendingOutbox());
      expect(pending).toEqual([...c1.outbox, ...c2.outbox]);
      expect(pending[0]).toMatchObject({ streamId: s1, channel: "events", partitionKey: s1, message: event });
      const older = mine(await store.pendingOutbox({ createdBefore: new Date(Date.parse(c2.outbox[0].createdAt) - 1) }));
      expect(older).toEqual(c1.outbox);

      await store.markSent(c1.outbox);
      expect(mine(await store.pendingOutbox())).toEqual(c2.outbox);
      await store.markSent(c1.outbox); // marking twice is harmless (a relay and a sweeper raced)
      await store.markSent(c2.outbox);
      expect(mine(await store.pendingOutbox())).toEqual([]);
    });

    it("writes nothing of a failed commit: no event, outbox or inbox row", async () => {
      const { store } = subject();
      const streamId = newStream();
      await store.commit({ streamId, expectedVersion: 0, events: [reserved(streamId, 1)] });
      const inbox = { consumer: "concerts", messageId: randomUUID() };
      await expect(store.commit({ streamId, expectedVersion: 0, events: [reserved(streamId, 2), reserved(streamId, 3)], outbox: [command("x")], inbox, snapshot: { version: 2, schemaVersion: 1, state: {} } })).rejects.toBeInstanceOf(WrongExpectedVersionError);
      expect(await store.readStream(streamId)).toMatchObject({ version: 1 });
      expect((await store.readStream(streamId, { inbox })).handled).toBe(false);
      expect(await store.readSnapshot(streamId)).toBeUndefined();
      expect((await store.pendingOutbox()).filter((r) => r.streamId === streamId)).toEqual([]);
      // The same message commits once the writer catches up.
      await store.commit({ streamId, expectedVersion: 1, events: [reserved(streamId, 2)], inbox });
      expect((await store.readStream(streamId, { inbox })).handled).toBe(true);
    });

    it("reads the inbox row with the events when asked: one read tells the events after a version and whether a message was handled", async () => {
      const { store } = subject();
      const streamId = newStream();
      const inbox = { consumer: "purchase-process", messageId: randomUUID() };
      expect(await store.readStream(streamId, { inbox })).toEqual({ version: 0, events: [], handled: false });
      await store.commit({ streamId, expectedVersion: 0, events: [reserved(streamId, 1), reserved(streamId, 2)] });
      await store.commit({ streamId, expectedVersion: 2, events: [reserved(streamId, 3)], inbox });
      const all = await store.readStream(streamId, { inbox });
      expect([all.version, all.events.map((e) => e.version), all.handled]).toEqual([3, [1, 2, 3], true]);
      const after = await store.readStream(streamId, { afterVersion: 3, inbox: { ...inbox, consumer: "email" } });
      expect([after.version, after.events, after.handled]).toEqual([3, [], false]);
      const tail = await store.readStream(streamId, { afterVersion: 1, inbox });
      expect([tail.version, tail.events.map((e) => e.version), tail.handled]).toEqual([3, [2, 3], true]);
      // Without `inbox` the answer says nothing about it.
      expect(await store.readStream(streamId, { afterVersion: 3 })).not.toHaveProperty("handled");
    });

    it("commits outbox and inbox rows without events when the stream reached the expected version", async () => {
      const { store } = subject();
      const streamId = newStream();
      await store.commit({ streamId, expectedVersion: 0, events: [reserved(streamId, 1)] });
      const inbox = { consumer: "purchase-process", messageId: randomUUID() };
      const result = await store.commit({ streamId, expectedVersion: 1, events: [], outbox: [command("only")], inbox });
      expect(result.version).toBe(1);
      expect((await store.readStream(streamId, { inbox })).handled).toBe(true);
      expect((await store.pendingOutbox()).filter((r) => r.streamId === streamId)).toHaveLength(1);
      await expect(store.commit({ streamId, expectedVersion: 2, events: [], outbox: [command("ahead")] })).rejects.toBeInstanceOf(WrongExpectedVersionError);
    });
  });
}

/** The store, counting its reads (each one storage round trip). */
function countReads(store: EventStore): { store: EventStore; count: number } {
  const counter = { count: 0, store };
  counter.store = {
    readStream: (...a) => (counter.count++, store.readStream(...a)),
    readSnapshot: (...a) => (counter.count++, store.readSnapshot(...a)),
    commit: (...a) => store.commit(...a),
    pendingOutbox: (...a) => store.pendingOutbox(...a),
    markSent: (...a) => store.markSent(...a),
  };
  return counter;
}
