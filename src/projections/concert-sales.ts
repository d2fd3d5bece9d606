/**
 * Read model `concertsales`: tickets sold and revenue per tier of each concert, from PurchaseCompleted, for
 * `GET /api/concerts/{id}/sales`. PartitionKey = concert id:
 *
 *   RowKey `totals`            the sums, and `version` = how many completed purchases they count
 *   RowKey `purchase:<id>`     one marker per counted purchase (its tier, quantity, total, stream version)
 *
 * The totals gather many streams, so no single stream version can order them. Instead each purchase counts once:
 * its marker and the new totals are written in one entity-group transaction (same partition), the marker inserted
 * (fails if the purchase was counted) and the totals replaced with the ETag read (fails if another purchase was
 * counted meanwhile: read again, add again). A purchase completes at most once, so order does not matter.
 */
import type { MessageData } from "../events/catalog.js";
import { tableKey } from "../services/table-keys.js";
import type { ProjectedEvent } from "./projected-event.js";
import { decodeView, encodeView } from "./row-codec.js";
import { noRowCache, type RowCache } from "./row-cache.js";
import type { RowProperties, RowStore } from "./row-store.js";
import { afterConflict, type ApplyOutcome } from "./stream-projection.js";

type Tier = MessageData<"PurchaseCompleted">["tier"];

export interface TierSales {
  ticketsSold: number;
  revenueCents: number;
}

export interface ConcertSales {
  concertId: string;
  tiers: Record<Tier, TierSales>;
  ticketsSold: number;
  revenueCents: number;
  /** Completed purchases counted: the read model's version. */
  purchases: number;
}

export const TOTALS_ROW = "totals";
export const markerRowOf = (purchaseId: string): string => `purchase:${tableKey(purchaseId)}`;
const MAX_ATTEMPTS = 20;

export function emptySales(concertId: string): ConcertSales {
  return { concertId, tiers: { standard: { ticketsSold: 0, revenueCents: 0 }, vip: { ticketsSold: 0, revenueCents: 0 } }, ticketsSold: 0, revenueCents: 0, purchases: 0 };
}

/** The totals with one more completed purchase. Pure. */
export function addCompletedPurchase(sales: ConcertSales | undefined, event: ProjectedEvent<"PurchaseCompleted">): ConcertSales {
  const { concertId, tier, quantity, totalCents } = event.data;
  const base = sales ?? emptySales(concertId);
  const current = base.tiers[tier];
  return {
    concertId,
    tiers: { ...base.tiers, [tier]: { ticketsSold: current.ticketsSold + quantity, revenueCents: current.revenueCents + totalCents } },
    ticketsSold: base.ticketsSold + quantity,
    revenueCents: base.revenueCents + totalCents,
    purchases: base.purchases + 1,
  };
}

export function markerOf(event: ProjectedEvent<"PurchaseCompleted">) {
  const { purchaseId, tier, quantity, totalCents } = event.data;
  return { purchaseId, tier, quantity, totalCents, streamId: event.streamId, version: event.version };
}

export function totalsProperties(sales: ConcertSales) {
  return encodeView({ ...sales, version: sales.purchases });
}

export async function readSales(rows: RowStore, concertId: string): Promise<{ sales: ConcertSales; etag: string } | undefined> {
  const stored = await rows.get(tableKey(concertId), TOTALS_ROW);
  return stored && { sales: salesOf(stored.properties), etag: stored.etag };
}

function salesOf(properties: RowProperties): ConcertSales {
  const { version: _version, ...sales } = decodeView<ConcertSales & { version: number }>(properties);
  return sales;
}

/** Entity-group transactions hold 100 rows: the totals and up to 99 markers. */
export const MAX_PURCHASES_PER_WRITE = 99;

/**
 * Counts completed purchases of one concert (at most MAX_PURCHASES_PER_WRITE) in one transaction: their markers
 * (a purchase already counted, or twice in the batch, is skipped) and the new totals. Outcomes in the events' order.
 *
 * The first try reads neither the markers nor, when this worker wrote them last, the totals (row-cache.ts): it
 * assumes the purchases are uncounted and the totals are as it left them. A wrong assumption fails the transaction
 * (a marker exists, or the totals' ETag moved), and the next try reads everything.
 */
export async function applyCompletedPurchases(rows: RowStore, events: readonly ProjectedEvent<"PurchaseCompleted">[], cache: RowCache = noRowCache): Promise<ApplyOutcome[]> {
  if (events.length > MAX_PURCHASES_PER_WRITE) throw new RangeError(`at most ${MAX_PURCHASES_PER_WRITE} purchases per write`);
  const concertId = events[0].data.concertId;
  const partitionKey = tableKey(concertId);
  let guess = true;
  for (let attempt = 1; ; attempt++) {
    const cached = guess ? cache.get(rows.name, partitionKey, TOTALS_ROW) : undefined;
    const [counted, totals] = await Promise.all([
      guess ? events.map(() => undefined) : Promise.all(events.map((e) => rows.get(partitionKey, markerRowOf(e.data.purchaseId)))),
      cached ? { sales: salesOf(cached.properties), etag: cached.etag } : readSales(rows, concertId),
    ]);
    const fresh = new Map<string, ProjectedEvent<"PurchaseCompleted">>();
    events.forEach((e, i) => {
      if (!counted[i] && !fresh.has(e.data.purchaseId)) fresh.set(e.data.purchaseId, e);
    });
    const before = totals?.sales.purchases ?? 0;
    if (fresh.size === 0) return events.map(() => ({ status: "skipped", version: before, attempts: attempt }));
    let next = totals?.sales;
    for (const e of fresh.values()) next = addCompletedPurchase(next, e);
    const properties = totalsProperties(next!);
    try {
      const written = await rows.write(partitionKey, [
        ...[...fresh.values()].map((e) => ({ kind: "insert" as const, rowKey: markerRowOf(e.data.purchaseId), properties: encodeView(markerOf(e)) })),
        totals ? { kind: "replace", rowKey: TOTALS_ROW, etag: totals.etag, properties } : { kind: "insert", rowKey: TOTALS_ROW, properties },
      ]);
      cache.set(rows.name, partitionKey, TOTALS_ROW, written[written.length - 1]?.etag, properties);
      const version = next!.purchases;
      return events.map((e): ApplyOutcome => (fresh.get(e.data.purchaseId) === e ? { status: "applied", version, attempts: attempt } : { status: "skipped", version, attempts: attempt }));
    } catch (err) {
      cache.forget(rows.name, partitionKey, TOTALS_ROW);
      await afterConflict(err, attempt, MAX_ATTEMPTS, guess);
      guess = false;
    }
  }
}
