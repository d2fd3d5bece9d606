/**
 * The sales-per-minute read model in Table Storage (table `salesperminute` live; a replay writes a fresh one), on
 * the projections' RowStore port. PartitionKey = concert id:
 *
 *   RowKey `yyyy-MM-ddTHH:mm`     one row per minute with sales: tickets and revenue per tier (net of cancellations)
 *   RowKey `purchase:<id>`        the mark of a counted purchase (which events were counted, what they added)
 *
 * A batch of a concert's events is written in one entity-group transaction: the minutes it changes and the marks
 * of the purchases it counts, each row inserted (fails if it appeared meanwhile) or replaced with the ETag read
 * (fails if it changed meanwhile). A lost race reads again and folds again, so two consumers (or a consumer and a
 * replay into the same table) never count an event twice, and a crash between write and offset commit only makes
 * the redelivered events find their marks.
 */
import { tableKey } from "../services/table-keys.js";
import { decodeView, encodeView } from "../projections/row-codec.js";
import { RowConflictError, type RowStore, type RowWrite, type StoredRow } from "../projections/row-store.js";
import { type ConcertSalesState, foldConcertSales, groupByConcert, type MinuteSales, minuteOf, type PurchaseMark, type SalesEvent } from "./sales-per-minute.js";
import { topology } from "../config.js";

export const SALES_PER_MINUTE_TABLE = topology.tables.salesPerMinute;
/** Table Storage takes at most 100 entities per transaction; each event touches at most two rows. */
const EVENTS_PER_TRANSACTION = 50;
const MAX_ATTEMPTS = 20;
const MINUTE_ROW = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;

export const markRowKey = (purchaseId: string): string => `purchase:${tableKey(purchaseId)}`;

export interface ApplyStats {
  counted: number;
  duplicates: number;
  ignored: number;
  /** Transactions retried after a lost race. */
  conflicts: number;
}

export class SalesPerMinuteWriter {
  constructor(readonly rows: RowStore) {}

  /** Applies events (any concerts, stream order within each purchase) exactly once each. */
  async apply(events: readonly SalesEvent[]): Promise<ApplyStats> {
    const stats: ApplyStats = { counted: 0, duplicates: 0, ignored: 0, conflicts: 0 };
    await Promise.all(
      [...groupByConcert(events)].map(async ([, concertEvents]) => {
        for (let i = 0; i < concertEvents.length; i += EVENTS_PER_TRANSACTION) {
          const s = await this.applyToConcert(concertEvents.slice(i, i + EVENTS_PER_TRANSACTION));
          stats.counted += s.counted;
          stats.duplicates += s.duplicates;
          stats.ignored += s.ignored;
          stats.conflicts += s.conflicts;
        }
      }),
    );
    return stats;
  }

  private async applyToConcert(events: SalesEvent[]): Promise<ApplyStats> {
    const concertId = events[0].concertId;
    const partitionKey = tableKey(concertId);
    const minuteKeys = [...new Set(events.map((e) => minuteOf(e.at)))];
    const purchaseIds = [...new Set(events.map((e) => e.purchaseId))];
    // A purchase seen here only completing is almost always new: its mark is inserted without reading first (the
    // insert fails if it exists, and the retry reads). A cancellation needs its purchase's mark to subtract.
    const onlyCompleting = new Set(purchaseIds.filter((id) => events.every((e) => e.purchaseId !== id || e.kind === "completed")));
    for (let attempt = 1; ; attempt++) {
      const [minuteRows, markRows] = await Promise.all([
        Promise.all(minuteKeys.map((m) => this.rows.get(partitionKey, m))),
        Promise.all(purchaseIds.map((id) => (attempt === 1 && onlyCompleting.has(id) ? undefined : this.rows.get(partitionKey, markRowKey(id))))),
      ]);
      const etags = new Map<string, string>();
      const state: ConcertSalesState = {
        concertId,
        minutes: new Map(present(minuteRows).map((r) => (etags.set(r.rowKey, r.etag), [r.rowKey, decodeView<MinuteSales>(r.properties)]))),
        purchases: new Map(present(markRows).map((r) => (etags.set(r.rowKey, r.etag), decodeView<PurchaseMark>(r.properties))).map((m) => [m.purchaseId, m])),
      };
      const folded = foldConcertSales(state, events);
      const writes: RowWrite[] = [];
      const write = (rowKey: string, view: object) => {
        const etag = etags.get(rowKey);
        const properties = encodeView(view);
        writes.push(etag ? { kind: "replace", rowKey, etag, properties } : { kind: "insert", rowKey, properties });
      };
      for (const m of folded.changedMinutes) write(m, folded.state.minutes.get(m)!);
      for (const id of folded.changedPurchases) write(markRowKey(id), folded.state.purchases.get(id)!);
      const stats = { counted: folded.counted, duplicates: folded.duplicates, ignored: folded.ignored, conflicts: attempt - 1 };
      if (writes.length === 0) return stats;
      try {
        await this.rows.write(partitionKey, writes);
        return stats;
      } catch (err) {
        if (!(err instanceof RowConflictError) || attempt >= MAX_ATTEMPTS) throw err;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
      }
    }
  }
}

function present(rows: (StoredRow | undefined)[]): StoredRow[] {
  return rows.filter((r): r is StoredRow => r !== undefined);
}

/** The minute rows of one concert, in time order (the marks left out). */
export async function readConcertMinutes(rows: RowStore, concertId: string): Promise<MinuteSales[]> {
  const partition = await rows.listPartition(tableKey(concertId));
  return partition.filter((r) => MINUTE_ROW.test(r.rowKey)).map((r) => decodeView<MinuteSales>(r.properties));
}

/** Every minute row of the read model, by concert then minute. */
export async function readAllMinutes(rows: RowStore): Promise<MinuteSales[]> {
  const out: MinuteSales[] = [];
  for await (const r of rows.listAll()) if (MINUTE_ROW.test(r.rowKey)) out.push(decodeView<MinuteSales>(r.properties));
  return out;
}
