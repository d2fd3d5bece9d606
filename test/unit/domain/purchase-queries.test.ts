/**
 * The synchronous checks of POST /api/purchases read the concert's stream: on a concert under a rush that stream is
 * long and grows with every reservation, so each check reads only what was committed since this process last looked.
 */
import { expect, it } from "vitest";
import { handleConcertCommand } from "../../../src/commands/concerts-handler.js";
import { ensureTicketsLeft } from "../../../src/commands/purchase-queries.js";
import { createMessage } from "../../../src/events/catalog.js";
import type { EventStore, ReadStreamOptions } from "../../../src/eventstore/event-store.js";
import { InMemoryEventStore } from "../../../src/eventstore/in-memory-event-store.js";

const now = new Date("2026-06-01T18:00:00.000Z");
const capacity = { standard: 100, vip: 10 };
const prices = { standard: 5000, vip: 15000 };
const concert = { concertId: "c1", name: "Night Owls", venue: "Main Stage", startsAt: "2026-07-01T20:00:00.000Z" };
const schedule = createMessage("ScheduleConcert", { ...concert, capacity, prices }, { id: "s", correlationId: "s" });
const reserve = (n: number) => {
  const data = { concertId: "c1", purchaseId: `p${n}`, tier: "standard" as const, quantity: 1 };
  return createMessage("ReserveTickets", data, { id: `p${n}:ReserveTickets`, correlationId: `corr-p${n}` });
};

it("checks the tickets left of a long concert stream reading only the events since its last check", async () => {
  const memory = new InMemoryEventStore(() => now);
  const reads: ReadStreamOptions[] = [];
  const store: EventStore = {
    readStream: (id, options) => (reads.push(options ?? {}), memory.readStream(id, options)),
    readSnapshot: (...a) => (reads.push({ snapshot: true }), memory.readSnapshot(...a)),
    commit: (...a) => memory.commit(...a),
    pendingOutbox: (...a) => memory.pendingOutbox(...a),
    markSent: (...a) => memory.markSent(...a),
  };
  const send = (message: object) =>
    handleConcertCommand(Buffer.from(JSON.stringify(message)), { store, now: () => now });
  await send(schedule);
  for (let n = 1; n <= 30; n++) await send(reserve(n));
  await ensureTicketsLeft(store, "c1", "standard", 1, now);
  await send(reserve(31));

  reads.length = 0;
  const availability = await ensureTicketsLeft(store, "c1", "standard", 1, now);
  expect(availability).toMatchObject({ version: 32, ticketsLeft: { standard: 69, vip: 10 } });
  expect(reads).toEqual([{ afterVersion: 32 }]);
});
