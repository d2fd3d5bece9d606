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

/**
 * What the concert knows of a purchase: the tickets it holds (`s2`: 2 standard, `v1`: 1 vip), or how its
 * reservation ended. Short, because the concert keeps one per purchase in its snapshot.
 */
export type PurchaseMark = `${"s" | "v"}${number}` | "released" | "rejected";

const heldMark = (r: Reservation): PurchaseMark => `${r.tier === "vip" ? "v" : "s"}${r.quantity}`;

function heldOf(mark: PurchaseMark | undefined): Reservation | undefined {
  if (mark === undefined || mark === "released" || mark === "rejected") return undefined;
  return { tier: mark[0] === "v" ? "vip" : "standard", quantity: Number(mark.slice(1)) };
}

export interface ConcertState {
  concertId: string;
  name: string;
  venue: string;
  startsAt: string;
  capacity: Record<TicketTier, number>;
  prices: Record<TicketTier, number>;
  /** Tickets held per tier: the sum of the held reservations, kept so availability is O(1). */
  reserved: Record<TicketTier, number>;
  /**
   * Every purchase the concert has seen, by purchase id, spread over `purchaseBuckets` buckets by a hash of the id:
   * a concert remembers one entry per purchase, so evolve copies only the bucket it changes (copying one map of
   * thousands of entries per event made a load of 20 events take ~100 ms). Kept compact: it is the snapshot.
   * A purchase whose reservation was released or refused never reserves again.
   */
  purchases: Record<string, PurchaseMark>[];
}

const purchaseBuckets = 64;

/** FNV-1a: a stable hash (the bucket of a purchase must not change between a snapshot and its reader). */
function bucketOf(purchaseId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < purchaseId.length; i++) hash = Math.imul(hash ^ purchaseId.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % purchaseBuckets;
}

export function markOf(concert: ConcertState, purchaseId: string): PurchaseMark | undefined {
  return concert.purchases[bucketOf(purchaseId)][purchaseId];
}

/** The tickets `purchaseId` holds, if it holds any. */
export function reservationOf(concert: ConcertState, purchaseId: string): Reservation | undefined {
  return heldOf(markOf(concert, purchaseId));
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
export const concertSnapshotSchemaVersion = 3;

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
      if (markOf(concert, purchaseId)) return [];
      const left = available(concert, tier);
      if (left < quantity) return [{ name: "ReservationRejected", data: { concertId, purchaseId, tier, quantity, available: left, reason: "sold-out" } }];
      return [{ name: "TicketsReserved", data: { concertId, purchaseId, tier, quantity, reservedAt: now.toISOString() } }];
    }
    case "ReleaseTickets": {
      const { concertId, purchaseId, reason } = command.data;
      if (!concert) throw concertNotFound(concertId);
      const held = reservationOf(concert, purchaseId);
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

/** The state after `event`; `concert` is left untouched (only the changed bucket is copied). */
export function evolveConcert(concert: Concert, event: ConcertEvent): Concert {
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
      purchases: Array.from({ length: purchaseBuckets }, () => ({})),
    };
  }
  if (!concert) return concert; // an event before the concert exists cannot have been decided; ignore it
  const { purchaseId } = event.data;
  const mark = markOf(concert, purchaseId);
  switch (event.name) {
    case "TicketsReserved": {
      if (mark) return concert;
      const reserved = { ...concert.reserved, [event.data.tier]: concert.reserved[event.data.tier] + event.data.quantity };
      return { ...concert, reserved, purchases: withMark(concert, purchaseId, heldMark(event.data)) };
    }
    case "ReservationRejected":
      return mark ? concert : { ...concert, purchases: withMark(concert, purchaseId, "rejected") };
    case "TicketsReleased": {
      const held = heldOf(mark);
      if (!held) return concert;
      const { tier, quantity } = held;
      return { ...concert, reserved: { ...concert.reserved, [tier]: concert.reserved[tier] - quantity }, purchases: withMark(concert, purchaseId, "released") };
    }
  }
}

function withMark(concert: ConcertState, purchaseId: string, mark: PurchaseMark): Record<string, PurchaseMark>[] {
  const purchases = concert.purchases.slice();
  const b = bucketOf(purchaseId);
  purchases[b] = { ...purchases[b], [purchaseId]: mark };
  return purchases;
}

export function foldConcert(concert: Concert, events: Iterable<ConcertEvent>): Concert {
  let state = concert;
  for (const event of events) state = evolveConcert(state, event);
  return state;
}
