import { describe, expect, it } from "vitest";
import {
  availability,
  type Concert,
  type ConcertCommand,
  type ConcertEvent,
  decideConcert,
  ensureAvailable,
  evolveConcert,
  foldConcert,
} from "../../../src/domain/concert.js";
import { DomainError } from "../../../src/domain/errors.js";

const now = new Date("2026-06-01T18:00:00.000Z");
const schedule = {
  name: "ScheduleConcert",
  data: { concertId: "c1", name: "Night Owls", venue: "Main Stage", startsAt: "2026-07-01T20:00:00.000Z", capacity: { standard: 10, vip: 2 }, prices: { standard: 5000, vip: 15000 } },
} as const satisfies ConcertCommand;
const reserve = (purchaseId: string, quantity: number, tier: "standard" | "vip" = "standard"): ConcertCommand => ({ name: "ReserveTickets", data: { concertId: "c1", purchaseId, tier, quantity } });
const release = (purchaseId: string): ConcertCommand => ({ name: "ReleaseTickets", data: { concertId: "c1", purchaseId, reason: "payment-declined" } });

/** Decides each command on the state so far and applies its events, as the handler does. */
function run(commands: ConcertCommand[], start: Concert = undefined): { state: Concert; events: ConcertEvent[] } {
  let state = start;
  const events: ConcertEvent[] = [];
  for (const command of commands) {
    const decided = decideConcert(state, command, now);
    events.push(...decided);
    state = foldConcert(state, decided);
  }
  return { state, events };
}

describe("concert inventory", () => {
  it("is scheduled with its capacity and prices, all tickets available", () => {
    const { state, events } = run([schedule]);
    expect(events).toEqual([{ name: "ConcertScheduled", data: schedule.data }]);
    expect(state && availability(state)).toEqual({ standard: 10, vip: 2 });
  });

  it("scheduling again with the same details is a no-op; with other details a conflict", () => {
    const { state } = run([schedule]);
    expect(decideConcert(state, schedule, now)).toEqual([]);
    const other = { ...schedule, data: { ...schedule.data, venue: "Tent" } };
    expect(() => decideConcert(state, other, now)).toThrow(expect.objectContaining({ code: "ConcertAlreadyScheduled", kind: "conflict" }));
  });

  it("reserves while tickets are left and rejects what does not fit, saying how many are left", () => {
    const { state, events } = run([schedule, reserve("p1", 6), reserve("p2", 5), reserve("p3", 4), reserve("v1", 2, "vip")]);
    expect(events.map((e) => e.name)).toEqual(["ConcertScheduled", "TicketsReserved", "ReservationRejected", "TicketsReserved", "TicketsReserved"]);
    expect(events[1]).toEqual({ name: "TicketsReserved", data: { concertId: "c1", purchaseId: "p1", tier: "standard", quantity: 6, reservedAt: now.toISOString() } });
    expect(events[2]).toEqual({ name: "ReservationRejected", data: { concertId: "c1", purchaseId: "p2", tier: "standard", quantity: 5, available: 4, reason: "sold-out" } });
    expect(state && availability(state)).toEqual({ standard: 0, vip: 0 });
  });

  it("a reservation repeated for the same purchase is a no-op, even after release or rejection", () => {
    const { state } = run([schedule, reserve("p1", 3), reserve("p2", 20), release("p1")]);
    expect(decideConcert(state, reserve("p1", 3), now)).toEqual([]);
    expect(decideConcert(state, reserve("p2", 1), now)).toEqual([]);
    const held = run([schedule, reserve("p1", 3)]).state;
    expect(decideConcert(held, reserve("p1", 3), now)).toEqual([]);
    expect(held && availability(held).standard).toBe(7);
  });

  it("releasing gives the purchase's tickets back, once; releasing an unknown reservation is a no-op", () => {
    const { state, events } = run([schedule, reserve("p1", 2, "vip"), release("p1"), release("p1"), release("nobody")]);
    expect(events.map((e) => e.name)).toEqual(["ConcertScheduled", "TicketsReserved", "TicketsReleased"]);
    expect(events[2]).toEqual({ name: "TicketsReleased", data: { concertId: "c1", purchaseId: "p1", tier: "vip", quantity: 2, reason: "payment-declined" } });
    expect(state && availability(state)).toEqual({ standard: 10, vip: 2 });
  });

  it("commands for a concert that does not exist are refused with ConcertNotFound", () => {
    for (const command of [reserve("p1", 1), release("p1")]) {
      expect(() => decideConcert(undefined, command, now)).toThrow(DomainError);
      expect(() => decideConcert(undefined, command, now)).toThrow(expect.objectContaining({ code: "ConcertNotFound", kind: "not-found" }));
    }
  });

  it("ensureAvailable: the API's check, 404 for no concert and 409 when fewer tickets are left than asked", () => {
    const { state } = run([schedule, reserve("p1", 8)]);
    expect(ensureAvailable("c1", state, "standard", 2)).toBe(state);
    expect(() => ensureAvailable("c1", state, "standard", 3)).toThrow(expect.objectContaining({ code: "SoldOut", kind: "conflict" }));
    expect(() => ensureAvailable("c9", undefined, "vip", 1)).toThrow(expect.objectContaining({ code: "ConcertNotFound" }));
  });

  it("evolve leaves the state it was given untouched", () => {
    const { state } = run([schedule, reserve("p1", 2)]);
    const before = structuredClone(state);
    const after = evolveConcert(state, { name: "TicketsReleased", data: { concertId: "c1", purchaseId: "p1", tier: "standard", quantity: 2, reason: "reservation-expired" } });
    expect(state).toEqual(before);
    expect(after && availability(after).standard).toBe(10);
  });

  it("a snapshot taken mid-stream plus the tail gives the same state as a full replay", () => {
    const commands: ConcertCommand[] = [schedule];
    for (let i = 0; i < 40; i++) commands.push(reserve(`p${i}`, 1 + (i % 3), i % 5 === 0 ? "vip" : "standard"));
    for (let i = 0; i < 40; i += 4) commands.push(release(`p${i}`));
    const { events } = run(commands, undefined);
    const full = foldConcert(undefined, events);
    for (const at of [1, 7, 20, events.length - 1]) {
      // The snapshot goes through JSON, as a stored snapshot does.
      const snapshot = JSON.parse(JSON.stringify(foldConcert(undefined, events.slice(0, at)))) as Concert;
      expect(foldConcert(snapshot, events.slice(at))).toEqual(full);
    }
    // One event at a time (evolve) agrees with the fold.
    expect(events.reduce<Concert>((s, e) => evolveConcert(s, e), undefined)).toEqual(full);
  });
});
