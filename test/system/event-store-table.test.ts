/**
 * The event store contract on Table Storage, plus what only Table Storage limits: entity sizes. Runs on Azurite and on
 * the emulator's durable Table endpoint alike.
 */
import { randomUUID } from "node:crypto";
import { TableClient } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMessage } from "../../src/events/catalog.js";
import { StreamRepository } from "../../src/eventstore/stream-repository.js";
import { TableEventStore } from "../../src/eventstore/table-event-store.js";
import { MessageConsumer } from "../../src/messaging/message-consumer.js";
import { EntityTooLargeError } from "../../src/eventstore/table-json.js";
import { TABLE_BACKENDS, type TableStorage, startTableStorage } from "../helpers/table-storage.js";
import { counterStream, eventStoreContract, reserved } from "../unit/eventstore/event-store-contract.js";

describe.each(TABLE_BACKENDS)("on %s", (backend) => {
  let storage: TableStorage;
  let table: TableClient;
  let offset = 0;
  const now = () => new Date(Date.now() + offset);

  beforeAll(async () => {
    storage = await startTableStorage(backend);
    table = TableClient.fromConnectionString(storage.connectionString, "events", { allowInsecureConnection: true });
  });
  afterAll(async () => {
    await storage?.close();
  });

  eventStoreContract(`TableEventStore on ${backend}`, () => ({ store: new TableEventStore(table, { now }), advance: (ms) => (offset += ms) }));

  describe(`TableEventStore limits on ${backend}`, () => {
    const bigEvent = () =>
      createMessage("TicketIssueFailed", { purchaseId: "p", concertId: "c", reason: "tickets-unavailable", detail: "x" }, { correlationId: "big", id: randomUUID() });

    it("splits an event over 64 KB of string across properties and reads it back whole", async () => {
      const store = new TableEventStore(table);
      const streamId = `big-${randomUUID()}`;
      const event = { ...bigEvent(), padding: "é".repeat(100_000) };
      await store.commit({ streamId, expectedVersion: 0, events: [event], outbox: [{ channel: "events", message: event }] });
      expect((await store.readStream(streamId)).events[0].event).toEqual(event);
      expect((await store.pendingOutbox()).find((r) => r.streamId === streamId)?.message).toEqual(event);
    });

    it("refuses an event too large for one entity, naming the limit, and writes nothing", async () => {
      const store = new TableEventStore(table);
      const streamId = `huge-${randomUUID()}`;
      const event = { ...bigEvent(), padding: "x".repeat(600_000) };
      const attempt = store.commit({ streamId, expectedVersion: 0, events: [event] });
      await expect(attempt).rejects.toBeInstanceOf(EntityTooLargeError);
      await expect(attempt).rejects.toThrow(/at most 420000/);
      expect((await store.readStream(streamId)).version).toBe(0);
    });

    it("commits without a snapshot too large for an entity (loads replay the events instead)", async () => {
      const skipped: string[] = [];
      const store = new TableEventStore(table, { onSnapshotSkipped: (id) => skipped.push(id) });
      const streamId = `snap-${randomUUID()}`;
      await store.commit({ streamId, expectedVersion: 0, events: [bigEvent()], snapshot: { version: 1, schemaVersion: 1, state: "y".repeat(600_000) } });
      expect(skipped).toEqual([streamId]);
      expect((await store.readStream(streamId)).version).toBe(1);
      expect(await store.readSnapshot(streamId)).toBeUndefined();
    });
  });

  describe(`Sent outbox rows on ${backend}`, () => {
    /** A client of the same table that counts its requests. */
    function countingTable(): { client: TableClient; requests: () => number } {
      let n = 0;
      const options = { allowInsecureConnection: true };
      const client = TableClient.fromConnectionString(storage.connectionString, "events", options);
      client.pipeline.addPolicy({ name: "count", sendRequest: (request, next) => (n++, next(request)) });
      return { client, requests: () => n };
    }
    const outboxRows = async (streamId: string) => {
      const filter = `PartitionKey eq '${streamId}' and RowKey ge 'o:' and RowKey lt 'o;'`;
      const rows = table.listEntities({ queryOptions: { filter } });
      const keys: string[] = [];
      for await (const row of rows) keys.push(row.rowKey!);
      return keys;
    };
    const commitOne = (store: TableEventStore, streamId: string, version: number) => {
      const event = reserved(streamId, version);
      const outbox = [{ channel: "events" as const, message: event }];
      return store.commit({ streamId, expectedVersion: version - 1, events: [event], outbox });
    };

    it("deletes a stream's sent rows with its next commit, in the same request", async () => {
      const counting = countingTable();
      const store = new TableEventStore(counting.client, { sentRowsDelayMs: 60_000 });
      const streamId = `sent-${randomUUID()}`;
      const first = await commitOne(store, streamId, 1);
      const before = counting.requests();
      await store.markSent(first.outbox);
      const second = await commitOne(store, streamId, 2);
      expect(counting.requests() - before).toBe(1);
      expect((await store.pendingOutbox()).filter((r) => r.streamId === streamId)).toEqual(second.outbox);
      expect(await outboxRows(streamId)).toEqual([`o:${second.outbox[0].recordId}`]);
    });

    it("deletes a quiet stream's sent rows on the next flush; commits when someone else deleted them", async () => {
      const store = new TableEventStore(table, { sentRowsDelayMs: 60_000 });
      const quiet = `quiet-${randomUUID()}`;
      await store.markSent((await commitOne(store, quiet, 1)).outbox);
      expect(await outboxRows(quiet)).toHaveLength(1);
      await store.flushSent();
      expect(await outboxRows(quiet)).toEqual([]);

      const swept = `swept-${randomUUID()}`;
      const first = await commitOne(store, swept, 1);
      await store.markSent(first.outbox);
      await table.deleteEntity(swept, `o:${first.outbox[0].recordId}`); // another instance's sweeper
      const second = await commitOne(store, swept, 2);
      expect(second.version).toBe(2);
      expect(await outboxRows(swept)).toEqual([`o:${second.outbox[0].recordId}`]);
      await store.flushSent();
    });
  });

  describe(`MessageConsumer on Table Storage (${backend})`, () => {
    it("lets racing handlers of one stream each commit once, in turn, with nothing lost", async () => {
      const store = new TableEventStore(table);
      const consumer = new MessageConsumer({ repository: new StreamRepository(store, 3) });
      const id = randomUUID();
      const messages = Array.from({ length: 6 }, (_, i) =>
        createMessage("ReserveTickets", { concertId: id, purchaseId: `p-${i}`, tier: "standard", quantity: 1 }, { correlationId: `c-${i}`, id: randomUUID() }),
      );
      const outcomes = await Promise.all(
        messages.map((message) =>
          consumer.handle({
            consumer: "counter",
            message,
            stream: counterStream,
            id,
            decide: (_state, { now }) => ({ events: [{ name: "TicketsReserved", data: { ...message.data, reservedAt: now.toISOString() } }] }),
          }),
        ),
      );
      expect(outcomes.map((o) => o.status)).toEqual(Array(6).fill("handled"));
      const loaded = await new StreamRepository(store, 3).load(counterStream, id);
      expect(loaded.version).toBe(6);
      expect([...loaded.state.purchases].sort()).toEqual(messages.map((m) => m.data.purchaseId).sort());
      expect(loaded.snapshotVersion).toBe(6);
      // Every message once in the inbox; a redelivery of any of them is a duplicate.
      expect(await consumer.handle({ consumer: "counter", message: messages[2], stream: counterStream, id, decide: () => ({}) })).toMatchObject({ status: "duplicate" });
      await store.markSent(outcomes.flatMap((o) => (o.status === "handled" ? o.outbox : [])));
    });
  });
});
