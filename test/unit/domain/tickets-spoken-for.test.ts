/**
 * Admission at the POST: tickets that accepted purchases ask for are off sale until the concert answers them, so a
 * rush past the last ticket is refused at once; the concert's answer (reserved, rejected, released) or the hold's
 * end gives them back to the count.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { handleConcertCommand } from "../../../src/commands/concerts-handler.js";
import { ensureTicketsLeft, REFUSE_FROM_MEMORY_MS } from "../../../src/commands/purchase-queries.js";
import { TicketsSpokenFor } from "../../../src/commands/tickets-spoken-for.js";
import { DomainError } from "../../../src/domain/errors.js";
import { createMessage } from "../../../src/events/catalog.js";
import type { EventStore, ReadStreamOptions } from "../../../src/eventstore/event-store.js";
import { InMemoryEventStore } from "../../../src/eventstore/in-memory-event-store.js";

const now = new Date("2026-06-01T18:00:00.000Z");
const at = (ms: number) => new Date(now.getTime() + ms);
const HOLD_MS = 60_000;

async function concertWith(capacity: { standard: number; vip: number }): Promise<{ store: EventStore; reserve: (purchaseId: string, quantity: number) => Promise<unknown> }> {
  const store = new InMemoryEventStore(() => now);
  const send = (message: object) => handleConcertCommand(Buffer.from(JSON.stringify(message)), { store, now: () => now });
  const concert = { concertId: "c1", name: "Night Owls", venue: "Main Stage", startsAt: "2026-07-01T20:00:00.000Z" };
  await send(createMessage("ScheduleConcert", { ...concert, capacity, prices: { standard: 5000, vip: 15000 } }, { id: "s", correlationId: "s" }));
  const reserve = (purchaseId: string, quantity: number) =>
    send(createMessage("ReserveTickets", { concertId: "c1", purchaseId, tier: "standard", quantity }, { id: `${purchaseId}:R`, correlationId: purchaseId }));
  return { store, reserve };
}

const admit = (store: EventStore, spokenFor: TicketsSpokenFor, purchaseId: string, quantity: number, when = now) =>
  ensureTicketsLeft(store, "c1", "standard", quantity, when, { spokenFor, purchaseId });

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe("tickets spoken for", () => {
  it("accepts fans until their asks cover the tickets left, then refuses SoldOut naming the purchases under way", async () => {
    const { store } = await concertWith({ standard: 5, vip: 2 });
    const spokenFor = new TicketsSpokenFor(HOLD_MS);
    await admit(store, spokenFor, "p1", 2);
    await admit(store, spokenFor, "p2", 2);
    const tooMany = await refusal(admit(store, spokenFor, "p3", 2));
    expect(tooMany.code).toBe("SoldOut");
    expect(tooMany.message).toMatch(/5 standard ticket\(s\) are left, 4 of them asked for by purchases under way; 2 requested/);
    await admit(store, spokenFor, "p4", 1);
    expect((await refusal(admit(store, spokenFor, "p5", 1))).code).toBe("SoldOut");
    // Another tier is not spoken for.
    await ensureTicketsLeft(store, "c1", "vip", 2, now, { spokenFor, purchaseId: "p6" });
  });

  it("counts every ask once when many fans ask at the same moment", async () => {
    const { store } = await concertWith({ standard: 5, vip: 0 });
    const spokenFor = new TicketsSpokenFor(HOLD_MS);
    const answers = await Promise.allSettled(Array.from({ length: 14 }, (_, i) => admit(store, spokenFor, `p${i}`, 1)));
    expect(answers.filter((a) => a.status === "fulfilled")).toHaveLength(5);
  });

  it("gives a rejected ask's tickets back once the concert has answered it, and keeps a reserved one off sale", async () => {
    const { store, reserve } = await concertWith({ standard: 4, vip: 0 });
    const spokenFor = new TicketsSpokenFor(HOLD_MS);
    await admit(store, spokenFor, "p1", 3);
    // Another instance's fan took two tickets meanwhile: the concert rejects p1 and only two are left.
    await reserve("elsewhere", 2);
    await reserve("p1", 3);
    await admit(store, spokenFor, "p2", 2);
    expect((await refusal(admit(store, spokenFor, "p3", 1))).message).toMatch(/2 of them asked for by purchases under way/);
    await reserve("p2", 2);
    expect((await refusal(admit(store, spokenFor, "p3", 1))).message).toMatch(/has 0 standard ticket\(s\) left/);
  });

  it("stops counting an ask the concert never answers once the hold is over", async () => {
    const { store } = await concertWith({ standard: 2, vip: 0 });
    const spokenFor = new TicketsSpokenFor(HOLD_MS);
    await admit(store, spokenFor, "lost", 2);
    await refusal(admit(store, spokenFor, "p1", 1, at(HOLD_MS - 1)));
    await admit(store, spokenFor, "p2", 1, at(HOLD_MS));
  });

  it("accepts a retry of the same purchase (same Idempotency-Key, so the same id) whose command is not handled yet", async () => {
    const { store } = await concertWith({ standard: 2, vip: 0 });
    const spokenFor = new TicketsSpokenFor(HOLD_MS);
    await admit(store, spokenFor, "p1", 2);
    await admit(store, spokenFor, "p1", 2);
    await refusal(admit(store, spokenFor, "p2", 1));
  });

  it("withdraws the ask of a purchase whose command was not sent", async () => {
    const { store } = await concertWith({ standard: 1, vip: 0 });
    const spokenFor = new TicketsSpokenFor(HOLD_MS);
    await admit(store, spokenFor, "p1", 1);
    spokenFor.withdraw("c1", "p1");
    await admit(store, spokenFor, "p2", 1);
  });

  it("with a hold of 0 only the concert's own count matters", async () => {
    const { store } = await concertWith({ standard: 1, vip: 0 });
    const spokenFor = new TicketsSpokenFor(0);
    await admit(store, spokenFor, "p1", 1);
    await admit(store, spokenFor, "p2", 1);
  });

  afterEach(() => vi.restoreAllMocks());

  it("refuses from what it read less than a second ago without reading again, and reads for every acceptance", async () => {
    const { store: memory } = await concertWith({ standard: 2, vip: 0 });
    const reads: ReadStreamOptions[] = [];
    const store: EventStore = {
      readStream: (id, options) => (reads.push(options ?? {}), memory.readStream(id, options)),
      readSnapshot: (...a) => memory.readSnapshot(...a),
      commit: (...a) => memory.commit(...a),
      pendingOutbox: (...a) => memory.pendingOutbox(...a),
      markSent: (...a) => memory.markSent(...a),
    };
    const spokenFor = new TicketsSpokenFor(HOLD_MS);
    let clock = 1_000_000;
    vi.spyOn(performance, "now").mockImplementation(() => clock);
    await admit(store, spokenFor, "p1", 1);
    await admit(store, spokenFor, "p2", 1);
    expect(reads.length).toBe(2);
    for (const fan of ["p3", "p4", "p5"]) await refusal(admit(store, spokenFor, fan, 1));
    expect(reads.length).toBe(2);
    clock += REFUSE_FROM_MEMORY_MS + 1;
    await refusal(admit(store, spokenFor, "p6", 1));
    expect(reads.length).toBe(3);
  });
});
