/**
 * The write side's own view of a concert and a purchase, loaded from their streams (latest snapshot + the events
 * after it). The API's GETs answer from the read models (src/queries/); what stays here is `ensureTicketsLeft`, the
 * synchronous check a purchase request passes before its command is sent (404 unknown concert, 409 started or sold
 * out), and `concertAvailability` / `purchaseStatus`, through which the domain and saga tests look at the
 * aggregates. Unknown ids throw the domain's not-found errors.
 */
import { availability, type ConcertState, ensureAvailable, type TicketTier } from "../domain/concert.js";
import { concertAlreadyStarted, concertNotFound, purchaseNotFound, soldOut } from "../domain/errors.js";
import type { CancellationReason, Fan, PurchaseStatus } from "../domain/purchase.js";
import type { EventStore } from "../eventstore/event-store.js";
import { StreamRepository } from "../eventstore/stream-repository.js";
import { sharedReader } from "./handler-deps.js";
import { currentTime } from "../clock.js";
import { concertStream, purchaseStream } from "./streams.js";
import type { TicketsSpokenFor } from "./tickets-spoken-for.js";

export interface ConcertAvailability {
  concertId: string;
  name: string;
  venue: string;
  startsAt: string;
  capacity: Record<TicketTier, number>;
  prices: Record<TicketTier, number>;
  ticketsLeft: Record<TicketTier, number>;
  /** The stream version the answer reflects. */
  version: number;
}

export interface PurchaseStatusView {
  purchaseId: string;
  concertId: string;
  status: PurchaseStatus;
  fan: Fan;
  tier: TicketTier;
  quantity: number;
  unitPriceCents: number;
  totalCents: number;
  placedAt: string;
  /** Completed: the ticket ids the provider issued, the payment, when. */
  ticketIds?: string[];
  paymentId?: string;
  completedAt?: string;
  /** Cancelled: why, whether the money went back, when. */
  reason?: CancellationReason;
  detail?: string;
  refunded?: boolean;
  cancelledAt?: string;
  version: number;
}

function availabilityOf(state: ConcertState, version: number): ConcertAvailability {
  const { concertId, name, venue, startsAt, capacity, prices } = state;
  return { concertId, name, venue, startsAt, capacity: { ...capacity }, prices: { ...prices }, ticketsLeft: availability(state), version };
}

async function loadConcert(store: EventStore, concertId: string): Promise<{ state: ConcertState; version: number }> {
  // A hot concert's stream is long: the shared repository reads only what was committed since it last looked.
  const { state, version } = await sharedReader(store).load(concertStream, concertId);
  if (!state) throw concertNotFound(concertId);
  return { state, version };
}

/** Per store: the reads of a concert under way, and when (performance.now()) each concert's last one came back. */
interface SharedReads {
  underWay: Map<string, Promise<{ state: ConcertState; version: number }>>;
  cameBackAt: Map<string, number>;
}
const sharedReads = new WeakMap<EventStore, SharedReads>();

function sharedReadsOf(store: EventStore): SharedReads {
  let reads = sharedReads.get(store);
  if (!reads) sharedReads.set(store, (reads = { underWay: new Map(), cameBackAt: new Map() }));
  return reads;
}

/**
 * loadConcert, with the requests that arrive while a read of the same concert is under way answered by that read:
 * in a rush every POST asks about the same concert, and one Table query serves all of those in flight together
 * (200 POSTs/s made 200 queries/s). The answer is as fresh as the read that began last, no earlier than a moment
 * before the request; the concert's stream decides the reservation anyway.
 */
function loadConcertShared(store: EventStore, concertId: string): Promise<{ state: ConcertState; version: number }> {
  const { underWay, cameBackAt } = sharedReadsOf(store);
  const pending = underWay.get(concertId);
  if (pending) return pending;
  const read = loadConcert(store, concertId)
    .then((loaded) => {
      cameBackAt.set(concertId, performance.now());
      return loaded;
    })
    .finally(() => underWay.delete(concertId));
  underWay.set(concertId, read);
  return read;
}

export async function concertAvailability(store: EventStore, concertId: string): Promise<ConcertAvailability> {
  const { state, version } = await loadConcert(store, concertId);
  return availabilityOf(state, version);
}

/** A purchase asking for tickets, to count among those spoken for once it is accepted. */
export interface Admission {
  spokenFor: TicketsSpokenFor;
  purchaseId: string;
}

/**
 * Throws ConcertNotFound, ConcertAlreadyStarted (when `now` is given and the concert has started) or SoldOut unless
 * `quantity` tickets of `tier` are on sale right now. With an `admission`, tickets that purchases accepted earlier
 * still wait for are not on sale (tickets-spoken-for.ts), and the purchase's own ask is counted from here on: call
 * `spokenFor.withdraw` if its command is not sent.
 */
export async function ensureTicketsLeft(
  store: EventStore,
  concertId: string,
  tier: TicketTier,
  quantity: number,
  now?: Date,
  admission?: Admission,
): Promise<ConcertAvailability> {
  if (admission) refuseFromMemory(store, concertId, tier, quantity, now, admission);
  const { state, version } = await (admission ? loadConcertShared(store, concertId) : loadConcert(store, concertId));
  if (now && Date.parse(state.startsAt) <= now.getTime()) throw concertAlreadyStarted(concertId, state.startsAt);
  ensureAvailable(concertId, state, tier, quantity);
  if (admission) {
    const nowMs = (now ?? currentTime()).getTime();
    ensureNotSpokenFor(state, tier, quantity, nowMs, admission);
    admission.spokenFor.admit(concertId, admission.purchaseId, tier, quantity, nowMs);
  }
  return availabilityOf(state, version);
}

/** Throws SoldOut unless `quantity` tickets of `tier` are left that no other accepted purchase asks for. */
function ensureNotSpokenFor(state: ConcertState, tier: TicketTier, quantity: number, nowMs: number, admission: Admission): void {
  const left = availability(state)[tier];
  const asked = admission.spokenFor.asked(state, tier, nowMs, admission.purchaseId);
  if (left - asked < quantity) throw soldOut(state.concertId, tier, quantity, Math.max(0, left - asked), left);
}

/**
 * A refusal may come from what this process already knows of the concert, when a read brought it up to date less
 * than this long ago (this process' own reservations and releases keep it current meanwhile): in a rush, after the
 * last ticket is spoken for, nineteen fans in twenty are refused, and each costing a Table query made the POST wait
 * behind the purchases in flight (flash-sale bench). Only another instance's release can make such a refusal wrong,
 * for at most this long. An acceptance always reads: accepting a fan there are no tickets for costs five handlings.
 */
export const REFUSE_FROM_MEMORY_MS = 1_000;

function refuseFromMemory(store: EventStore, concertId: string, tier: TicketTier, quantity: number, now: Date | undefined, admission: Admission): void {
  const readAt = sharedReads.get(store)?.cameBackAt.get(concertId);
  if (readAt === undefined || performance.now() - readAt > REFUSE_FROM_MEMORY_MS) return;
  const state = sharedReader(store).remembered(concertStream, concertId)?.state;
  if (!state || (now && Date.parse(state.startsAt) <= now.getTime())) return; // a start or a change: the read answers
  ensureNotSpokenFor(state, tier, quantity, (now ?? currentTime()).getTime(), admission);
}

export async function purchaseStatus(store: EventStore, purchaseId: string): Promise<PurchaseStatusView> {
  const { state: p, version } = await new StreamRepository(store).load(purchaseStream, purchaseId);
  if (!p) throw purchaseNotFound(purchaseId);
  return {
    purchaseId: p.purchaseId,
    concertId: p.concertId,
    status: p.status,
    fan: p.fan,
    tier: p.tier,
    quantity: p.quantity,
    unitPriceCents: p.unitPriceCents,
    totalCents: p.totalCents,
    placedAt: p.placedAt,
    ...(p.status === "completed" ? { ticketIds: p.ticketIds, paymentId: p.paymentId, completedAt: p.completedAt } : {}),
    ...(p.cancellation ? { reason: p.cancellation.reason, ...(p.cancellation.detail === undefined ? {} : { detail: p.cancellation.detail }), refunded: p.cancellation.refunded, cancelledAt: p.cancellation.cancelledAt } : {}),
    version,
  };
}
