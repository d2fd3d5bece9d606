/**
 * A concert's ticket inventory, the aggregate of stream `concert-<concertId>`: its capacity and prices per tier and
 * the reservations by purchase id. `decide` answers a command with the events it causes (pure; no I/O, no clock
 * but the `now` it is given); `evolve` applies an event. A purchase reserves at most once: a repeated reservation,
 * or one for a purchase whose tickets were released or refused, changes nothing; releasing a reservation the
 * concert does not hold changes nothing either. So a redelivered command is harmless even past the inbox.
 */
import type { MessageData } from "../events/catalog.js";
import { concertAlreadyScheduled, concertNotFound, soldOut } from "./errors.js";

export type TicketTier = "standard" | "vip";
export const ticketTiers: readonly TicketTier[] = ["standard", "vip"];

export interface Reservation {
  tier: TicketTier;
  quantity: number;
}

export interface ConcertState {
  concertId: string;
  name: string;
  venue: string;
  startsAt: string;
  capacity: Record<TicketTier, number>;
  prices: Record<TicketTier, number>;
  /** Tickets held per tier: the sum of `reservations`, kept so availability is O(1). */
  reserved: Record<TicketTier, number>;
  /** Reservations held, by purchase id. */
  reservations: Record<string, Reservation>;
  /** Purchases whose reservation ended: released, or refused for lack of tickets. They never reserve again. */
  closed: Record<string, "released" | "rejected">;
}

/** Before ConcertScheduled the concert does not exist. */
export type Concert = ConcertState | undefined;

export type ConcertEventName = "ConcertScheduled" | "TicketsReserved" | "ReservationRejected" | "TicketsReleased";
export type ConcertCommandName = "ScheduleConcert" | "ReserveTickets" | "ReleaseTickets";
export type ConcertEvent = { [N in ConcertEventName]: { name: N; data: MessageData<N> } }[ConcertEventName];
export type ConcertCommand = { [N in ConcertCommandName]: { name: N; data: MessageData<N> } }[ConcertCommandName];

export const concertEventNames: readonly ConcertEventName[] = ["ConcertScheduled", "TicketsReserved", "ReservationRejected", "TicketsReleased"];
export const concertCommandNames: readonly ConcertCommandName[] = ["ScheduleConcert", "ReserveTickets", "ReleaseTickets"];

/** Bump when ConcertState's shape changes: older snapshots are then ignored and the stream replayed. */
export const concertSnapshotSchemaVersion = 1;

export function concertStreamId(concertId: string): string {
  return `concert-${concertId}`;
}

export function available(concert: ConcertState, tier: TicketTier): number {
  return concert.capacity[tier] - concert.reserved[tier];
}

export function availability(concert: ConcertState): Record<TicketTier, number> {
  return { standard: available(concert, "standard"), vip: available(concert, "vip") };
}

/** Throws ConcertNotFound or SoldOut unless `quantity` tickets of `tier` are left (the API's synchronous check). */
export function ensureAvailable(concertId: string, concert: Concert, tier: TicketTier, quantity: number): ConcertState {
  if (!concert) throw concertNotFound(concertId);
  const left = available(concert, tier);
  if (left < quantity) throw soldOut(concertId, tier, quantity, left);
  return concert;
}

export function decideConcert(concert: Concert, command: ConcertCommand, now: Date): ConcertEvent[] {
  switch (command.name) {
    case "ScheduleConcert": {
      const data = command.data;
      if (concert) {
        if (sameSchedule(concert, data)) return [];
        throw concertAlreadyScheduled(data.concertId);
      }
      return [{ name: "ConcertScheduled", data: { ...data, capacity: { ...data.capacity }, prices: { ...data.prices } } }];
    }
    case "ReserveTickets": {
      const { concertId, purchaseId, tier, quantity } = command.data;
      if (!concert) throw concertNotFound(concertId);
      if (concert.reservations[purchaseId] || concert.closed[purchaseId]) return [];
      const left = available(concert, tier);
      if (left < quantity) return [{ name: "ReservationRejected", data: { concertId, purchaseId, tier, quantity, available: left, reason: "sold-out" } }];
      return [{ name: "TicketsReserved", data: { concertId, purchaseId, tier, quantity, reservedAt: now.toISOString() } }];
    }
    case "ReleaseTickets": {
      const { concertId, purchaseId, reason } = command.data;
      if (!concert) throw concertNotFound(concertId);
      const held = concert.reservations[purchaseId];
      if (!held) return [];
      return [{ name: "TicketsReleased", data: { concertId, purchaseId, tier: held.tier, quantity: held.quantity, reason } }];
    }
  }
}

function sameSchedule(concert: ConcertState, data: MessageData<"ScheduleConcert">): boolean {
  return (
    concert.name === data.name &&
    concert.venue === data.venue &&
    Date.parse(concert.startsAt) === Date.parse(data.startsAt) &&
    ticketTiers.every((t) => concert.capacity[t] === data.capacity[t] && concert.prices[t] === data.prices[t])
  );
}

/** The state after `event`; `concert` is left untouched. */
export function evolveConcert(concert: Concert, event: ConcertEvent): Concert {
  return applyInPlace(copyForWrite(concert), event);
}

/**
 * The state after `events`, copying the state once instead of once per event: a concert holds a reservation per
 * purchase, so copying it per event would make a replay quadratic.
 */
export function foldConcert(concert: Concert, events: Iterable<ConcertEvent>): Concert {
  let draft = copyForWrite(concert);
  for (const event of events) draft = applyInPlace(draft, event);
  return draft;
}

function copyForWrite(concert: Concert): Concert {
  if (!concert) return undefined;
  return { ...concert, reserved: { ...concert.reserved }, reservations: { ...concert.reservations }, closed: { ...concert.closed } };
}

function applyInPlace(draft: Concert, event: ConcertEvent): Concert {
  if (event.name === "ConcertScheduled") {
    const d = event.data;
    return {
      concertId: d.concertId,
      name: d.name,
      venue: d.venue,
      startsAt: d.startsAt,
      capacity: { ...d.capacity },
      prices: { ...d.prices },
      reserved: { standard: 0, vip: 0 },
      reservations: {},
      closed: {},
    };
  }
  if (!draft) return draft; // an event before the concert exists cannot be decided; ignore rather than corrupt
  const { purchaseId } = event.data;
  switch (event.name) {
    case "TicketsReserved":
      if (draft.reservations[purchaseId]) return draft;
      draft.reservations[purchaseId] = { tier: event.data.tier, quantity: event.data.quantity };
      draft.reserved[event.data.tier] += event.data.quantity;
      return draft;
    case "ReservationRejected":
      draft.closed[purchaseId] = "rejected";
      return draft;
    case "TicketsReleased": {
      const held = draft.reservations[purchaseId];
      if (held) {
        delete draft.reservations[purchaseId];
        draft.reserved[held.tier] -= held.quantity;
      }
      draft.closed[purchaseId] = "released";
      return draft;
    }
  }
}
