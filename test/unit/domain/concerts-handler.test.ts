import { describe, expect, it } from "vitest";
import { type Concert, availability } from "../../../src/domain/concert.js";
import { handleConcertCommand } from "../../../src/commands/concerts-handler.js";
import { concertStream } from "../../../src/commands/streams.js";
import { createMessage, InvalidMessageError, type MessageData } from "../../../src/events/catalog.js";
import { type EventStore, type OutboxRecord, WrongExpectedVersionError } from "../../../src/eventstore/event-store.js";
import { InMemoryEventStore } from "../../../src/eventstore/in-memory-event-store.js";
import { StreamRepository } from "../../../src/eventstore/stream-repository.js";

const now = new Date("2026-06-01T18:00:00.000Z");
const schedule = (capacity = { standard: 5, vip: 2 }) =>
  createMessage("ScheduleConcert", { concertId: "c1", name: "Night Owls", venue: "Main Stage", startsAt: "2026-07-01T20:00:00.000Z", capacity, prices: { standard: 5000, vip: 15000 } }, { id: "cmd-schedule", correlationId: "corr-s" });
const reserve = (purchaseId: string, quantity = 1, tier: MessageData<"ReserveTickets">["tier"] = "standard") =>
  createMessage("ReserveTickets", { concertId: "c1", purchaseId, tier, quantity }, { id: `${purchaseId}:ReserveTickets`, correlationId: `corr-${purchaseId}` });
const release = (purchaseId: string) => createMessage("ReleaseTickets", { concertId: "c1", purchaseId, reason: "payment-declined" }, { id: `${purchaseId}:ReleaseTickets`, correlationId: `corr-${purchaseId}` });

/** The relay as the handlers see it: where committed outbox records go. Here it keeps them for the test to read. */
class CollectingRelay {
  readonly records: OutboxRecord[] = [];
  async deliver(records: readonly OutboxRecord[]): Promise<void> {
    this.records.push(...records);
  }
}

/** Another host's view of the same storage: its own object, so it has its own turns and remembered states. */
function sharing(store: EventStore): EventStore {
  return {
    readStream: (...a) => store.readStream(...a),
    readSnapshot: (...a) => store.readSnapshot(...a),
    commit: (...a) => store.commit(...a),
    pendingOutbox: (...a) => store.pendingOutbox(...a),
    markSent: (...a) => store.markSent(...a),
  };
}

function setUp(snapshotEvery = 20) {
  const store = new InMemoryEventStore(() => now);
  const relay = new CollectingRelay();
  const deps = { store, relay, now: () => now, snapshotEvery };
  // Service Bus delivers the message as bytes of JSON.
  const send = (message: object) => handleConcertCommand(Buffer.from(JSON.stringify(message)), deps);
  const state = async (): Promise<Concert> => (await new StreamRepository(store, 0).load(concertStream, "c1")).state;
  return { store, relay, deps, send, state };
}

describe("concerts command handler", () => {
  it("writes the concert's events and hands them to the relay for the events topic, caused by the command", async () => {
    const { relay, send, state } = setUp();
    expect(await send(schedule())).toMatchObject({ status: "handled", command: "ScheduleConcert", version: 1 });
    const outcome = await send(reserve("p1", 2));
    expect(outcome).toMatchObject({ status: "handled", command: "ReserveTickets", version: 2 });
    expect(relay.records.map((r) => [r.message.type, r.channel, r.partitionKey, r.message.id])).toEqual([
      ["MusicFest.Concerts.ConcertScheduled.v1", "events", "concert-c1", "concert-c1:1"],
      ["MusicFest.Concerts.TicketsReserved.v1", "events", "concert-c1", "concert-c1:2"],
    ]);
    expect(relay.records[1].message).toMatchObject({ causationid: "p1:ReserveTickets", correlationid: "corr-p1", data: { purchaseId: "p1", quantity: 2, reservedAt: now.toISOString() } });
    const concert = await state();
    expect(concert && availability(concert)).toEqual({ standard: 3, vip: 2 });
  });

  it("a duplicate delivery of each command writes nothing the second time", async () => {
    const { store, relay, send } = setUp();
    for (const message of [schedule(), reserve("p1", 2), release("p1")]) {
      expect((await send(message)).status).toBe("handled");
      const written = await store.readStream("concert-c1");
      expect(await send(message)).toMatchObject({ status: "duplicate", command: message.type.split(".")[2] });
      expect((await store.readStream("concert-c1")).version).toBe(written.version);
    }
    expect(relay.records.map((r) => r.message.type.split(".")[2])).toEqual(["ConcertScheduled", "TicketsReserved", "TicketsReleased"]);
  });

  it("the same reservation under another message id is a no-op in the domain: nothing is written", async () => {
    const { store, send } = setUp();
    await send(schedule());
    await send(reserve("p1", 2));
    expect(await send({ ...reserve("p1", 2), id: "another-id" })).toMatchObject({ status: "unchanged", version: 2 });
    expect(await send({ ...release("nobody") })).toMatchObject({ status: "unchanged" });
    expect((await store.readStream("concert-c1")).version).toBe(2);
  });

  it("concurrent reservations of the last tickets: exactly the available number reserved, the rest rejected", async () => {
    const { relay, send, state } = setUp();
    await send(schedule({ standard: 5, vip: 0 }));
    const outcomes = await Promise.all(Array.from({ length: 24 }, (_, i) => send(reserve(`p${i}`, 1))));
    expect(outcomes.every((o) => o.status === "handled")).toBe(true);
    const names = relay.records.map((r) => r.message.type.split(".")[2]);
    expect(names.filter((n) => n === "TicketsReserved")).toHaveLength(5);
    expect(names.filter((n) => n === "ReservationRejected")).toHaveLength(19);
    const concert = await state();
    expect(concert && availability(concert).standard).toBe(0);
  });

  it("the same, from three instances sharing the store: they collide, retry, and still reserve exactly the available number", async () => {
    const { store, relay, send } = setUp();
    await send(schedule({ standard: 5, vip: 0 }));
    const instances = [0, 1, 2].map(() => ({ ...setUp().deps, store: sharing(store), relay }));
    // As Service Bus would: a delivery that still loses after the handler's tries is delivered again.
    const deliver = async (message: object, deps: (typeof instances)[number]): Promise<number> => {
      for (let delivery = 1; ; delivery++) {
        try {
          const outcome = await handleConcertCommand(JSON.stringify(message), deps);
          return "attempts" in outcome ? outcome.attempts : 1;
        } catch (err) {
          if (!(err instanceof WrongExpectedVersionError) || delivery >= 5) throw err;
        }
      }
    };
    const attempts = await Promise.all(Array.from({ length: 24 }, (_, i) => deliver(reserve(`p${i}`, 1), instances[i % 3])));
    expect(Math.max(...attempts)).toBeGreaterThan(1); // they did collide
    const names = relay.records.map((r) => r.message.type.split(".")[2]);
    expect(names.filter((n) => n === "TicketsReserved")).toHaveLength(5);
    expect(names.filter((n) => n === "ReservationRejected")).toHaveLength(19);
  });

  it("an instance sees what another instance committed since its own last write", async () => {
    const { store, send } = setUp();
    await send(schedule({ standard: 1, vip: 0 }));
    const [a, b] = [0, 1].map(() => ({ ...setUp().deps, store: sharing(store) }));
    await handleConcertCommand(reserve("p1"), a);
    await handleConcertCommand(release("p1"), b);
    await handleConcertCommand(reserve("p2"), b);
    // `a` last saw p1 holding the only ticket; p2's reservation came from `b`: releasing it must not be a no-op.
    expect(await handleConcertCommand(release("p2"), a)).toMatchObject({ status: "handled" });
    expect(await handleConcertCommand(reserve("p3"), a)).toMatchObject({ status: "handled" });
    const events = (await store.readStream("concert-c1")).events.map((e) => `${e.event.type.split(".")[2]}:${(e.event.data as { purchaseId?: string }).purchaseId ?? ""}`);
    expect(events).toEqual(["ConcertScheduled:", "TicketsReserved:p1", "TicketsReleased:p1", "TicketsReserved:p2", "TicketsReleased:p2", "TicketsReserved:p3"]);
  });

  it("concurrent reservations of mixed sizes never oversell, and each rejection says too few were left", async () => {
    const { relay, send, state } = setUp();
    await send(schedule({ standard: 7, vip: 0 }));
    await Promise.all(Array.from({ length: 12 }, (_, i) => send(reserve(`p${i}`, 1 + (i % 3)))));
    const reserved = relay.records.filter((r) => r.message.type.endsWith("TicketsReserved.v1")).map((r) => (r.message.data as { quantity: number }).quantity);
    const rejected = relay.records.filter((r) => r.message.type.endsWith("ReservationRejected.v1")).map((r) => r.message.data as { quantity: number; available: number });
    expect(reserved.length + rejected.length).toBe(12);
    const total = reserved.reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(7);
    for (const r of rejected) expect(r.available).toBeLessThan(r.quantity);
    const concert = await state();
    expect(concert && availability(concert).standard).toBe(7 - total);
  });

  it("snapshot round trip: the state loaded from snapshot + tail equals the state of a full replay", async () => {
    const { store, send } = setUp(5);
    await send(schedule({ standard: 100, vip: 10 }));
    for (let i = 0; i < 17; i++) await send(reserve(`p${i}`, 1 + (i % 4), i % 6 === 0 ? "vip" : "standard"));
    for (let i = 0; i < 17; i += 3) await send(release(`p${i}`));
    const fromSnapshot = await new StreamRepository(store, 5).load(concertStream, "c1");
    const fullReplay = await new StreamRepository(store, 0).load(concertStream, "c1");
    expect(fromSnapshot.snapshotVersion).toBeGreaterThanOrEqual(fromSnapshot.version - 5);
    expect(fromSnapshot.eventsRead).toBeLessThan(5);
    expect(fullReplay.eventsRead).toBe(fullReplay.version);
    expect(fromSnapshot.version).toBe(fullReplay.version);
    expect(fromSnapshot.state).toEqual(fullReplay.state);
  });

  it("a command for a concert that does not exist is refused (thrown for the dead-letter queue), nothing written", async () => {
    const { store, send } = setUp();
    await expect(send(reserve("p1"))).rejects.toMatchObject({ code: "ConcertNotFound", kind: "not-found" });
    expect((await store.readStream("concert-c1")).version).toBe(0);
  });

  it("a message that is not a concert command is refused as invalid", async () => {
    const { deps } = setUp();
    await expect(handleConcertCommand("not json", deps)).rejects.toThrow(InvalidMessageError);
    const other = createMessage("CapturePayment", { purchaseId: "p1", fanId: "f1", amountCents: 1 }, { correlationId: "x" });
    await expect(handleConcertCommand(other, deps)).rejects.toThrow(/unexpected message type/);
  });
});
