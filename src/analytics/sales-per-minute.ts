/**
 * Sales per concert per minute, the analytics read model kept from the `festival-events` stream: for each concert
 * and each minute (UTC, `yyyy-MM-ddTHH:mm`), the tickets sold and the revenue per tier. A PurchaseCompleted adds to
 * the minute it completed in; a PurchaseCancelled of a purchase counted before subtracts, in the minute it was
 * cancelled in (the minutes say what happened when, as a sales ledger does). A cancellation of a purchase never
 * completed (sold out, declined...) sold nothing and changes nothing.
 *
 * Kafka delivers at least once, and a replay reads everything again, so each purchase keeps a mark of the events
 * counted for it: an event already marked adds nothing. The fold is pure: state and events in, new state out.
 */
import type { MessageData } from "../events/catalog.js";

export type Tier = MessageData<"PurchaseCompleted">["tier"];
export const TIERS: readonly Tier[] = ["standard", "vip"];

/** A PurchaseCompleted or PurchaseCancelled as the fold needs it. */
export type SalesEvent =
  | { kind: "completed"; eventId: string; concertId: string; purchaseId: string; tier: Tier; quantity: number; totalCents: number; at: string }
  | { kind: "cancelled"; eventId: string; concertId: string; purchaseId: string; tier: Tier; quantity: number; at: string };

export interface MinuteSales {
  concertId: string;
  /** UTC minute, `yyyy-MM-ddTHH:mm`. */
  minute: string;
  standardTickets: number;
  standardRevenueCents: number;
  vipTickets: number;
  vipRevenueCents: number;
  tickets: number;
  revenueCents: number;
  /** Purchases completed in this minute. */
  completedPurchases: number;
  /** Completed purchases cancelled in this minute (their tickets and revenue subtracted here). */
  cancelledPurchases: number;
}

/** What was counted for one purchase: the mark that makes a redelivered or replayed event a no-op. */
export interface PurchaseMark {
  concertId: string;
  purchaseId: string;
  tier: Tier;
  quantity: number;
  totalCents: number;
  completedEventId: string;
  completedMinute: string;
  cancelledEventId?: string;
  cancelledMinute?: string;
}

/** The part of one concert's read model the events touch. */
export interface ConcertSalesState {
  concertId: string;
  minutes: ReadonlyMap<string, MinuteSales>;
  purchases: ReadonlyMap<string, PurchaseMark>;
}

export interface FoldResult {
  state: ConcertSalesState;
  /** Minutes and purchases whose rows must be written. */
  changedMinutes: Set<string>;
  changedPurchases: Set<string>;
  counted: number;
  /** Events already counted (same event id), or a second completion or cancellation of one purchase. */
  duplicates: number;
  /** Cancellations of purchases that never completed: nothing to subtract. */
  ignored: number;
}

/** The UTC minute of an ISO 8601 instant, `yyyy-MM-ddTHH:mm`. */
export function minuteOf(instant: string): string {
  const ms = Date.parse(instant);
  if (!Number.isFinite(ms)) throw new RangeError(`not an instant: ${instant}`);
  return new Date(ms).toISOString().slice(0, 16);
}

export function emptyMinute(concertId: string, minute: string): MinuteSales {
  return { concertId, minute, standardTickets: 0, standardRevenueCents: 0, vipTickets: 0, vipRevenueCents: 0, tickets: 0, revenueCents: 0, completedPurchases: 0, cancelledPurchases: 0 };
}

export function emptyConcert(concertId: string): ConcertSalesState {
  return { concertId, minutes: new Map(), purchases: new Map() };
}

function addSale(m: MinuteSales, tier: Tier, sign: 1 | -1, quantity: number, cents: number): MinuteSales {
  const tickets = sign * quantity;
  const revenue = sign * cents;
  const next = { ...m, tickets: m.tickets + tickets, revenueCents: m.revenueCents + revenue };
  if (tier === "vip") return { ...next, vipTickets: m.vipTickets + tickets, vipRevenueCents: m.vipRevenueCents + revenue };
  return { ...next, standardTickets: m.standardTickets + tickets, standardRevenueCents: m.standardRevenueCents + revenue };
}

/** Folds one concert's events, in stream order, into its state. Events of other concerts are a programming error. */
export function foldConcertSales(state: ConcertSalesState, events: readonly SalesEvent[]): FoldResult {
  const minutes = new Map(state.minutes);
  const purchases = new Map(state.purchases);
  const result: FoldResult = { state: { concertId: state.concertId, minutes, purchases }, changedMinutes: new Set(), changedPurchases: new Set(), counted: 0, duplicates: 0, ignored: 0 };
  const minuteRow = (minute: string) => minutes.get(minute) ?? emptyMinute(state.concertId, minute);
  for (const e of events) {
    if (e.concertId !== state.concertId) throw new Error(`event ${e.eventId} is for concert ${e.concertId}, not ${state.concertId}`);
    const mark = purchases.get(e.purchaseId);
    const minute = minuteOf(e.at);
    if (e.kind === "completed") {
      // A purchase completes once; its mark says it was counted, whatever id a redelivery carries.
      if (mark) {
        result.duplicates++;
        continue;
      }
      const before = minuteRow(minute);
      minutes.set(minute, { ...addSale(before, e.tier, 1, e.quantity, e.totalCents), completedPurchases: before.completedPurchases + 1 });
      purchases.set(e.purchaseId, { concertId: e.concertId, purchaseId: e.purchaseId, tier: e.tier, quantity: e.quantity, totalCents: e.totalCents, completedEventId: e.eventId, completedMinute: minute });
    } else {
      if (!mark) {
        result.ignored++;
        continue;
      }
      if (mark.cancelledEventId !== undefined) {
        result.duplicates++;
        continue;
      }
      // What the completion added comes off: its tier, quantity and total, not the cancellation's own figures.
      const before = minuteRow(minute);
      minutes.set(minute, { ...addSale(before, mark.tier, -1, mark.quantity, mark.totalCents), cancelledPurchases: before.cancelledPurchases + 1 });
      purchases.set(e.purchaseId, { ...mark, cancelledEventId: e.eventId, cancelledMinute: minute });
    }
    result.counted++;
    result.changedMinutes.add(minute);
    result.changedPurchases.add(e.purchaseId);
  }
  return result;
}

/** Folds events of any concerts into a map of concert states (the in-memory form of the whole read model). */
export function foldSales(state: ReadonlyMap<string, ConcertSalesState>, events: readonly SalesEvent[]): Map<string, ConcertSalesState> {
  const next = new Map(state);
  for (const [concertId, concertEvents] of groupByConcert(events)) {
    next.set(concertId, foldConcertSales(next.get(concertId) ?? emptyConcert(concertId), concertEvents).state);
  }
  return next;
}

/** Events per concert, each concert's in their original order. */
export function groupByConcert(events: readonly SalesEvent[]): Map<string, SalesEvent[]> {
  const out = new Map<string, SalesEvent[]>();
  for (const e of events) {
    const list = out.get(e.concertId);
    if (list) list.push(e);
    else out.set(e.concertId, [e]);
  }
  return out;
}
