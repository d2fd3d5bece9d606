/**
 * The queries the HTTP API answers, each from one read model (never from the event store):
 *
 *   PurchaseStatus       purchasestatus        version = the purchase stream's
 *   ConcertAvailability  concertavailability   version = the concert stream's
 *   FanPurchases         fanpurchases          version = the sum of the rows' stream versions (grows on any change)
 *   ConcertSales         concertsales          version = completed purchases counted
 */
import type { ConcertAvailability } from "../projections/concert-availability.js";
import { type ConcertSales, emptySales, readSales } from "../projections/concert-sales.js";
import type { FanPurchase } from "../projections/fan-purchases.js";
import type { PurchaseStatus } from "../projections/purchase-status.js";
import { decodeView } from "../projections/row-codec.js";
import type { RowStore } from "../projections/row-store.js";
import { readRow, viewOf, type Versioned } from "../projections/stream-projection.js";
import { tableKey } from "../services/table-keys.js";
import { QueryBus, type QueryBusOptions, type QueryResult } from "./query-bus.js";

export interface FanPurchases {
  fanId: string;
  /** Newest first. */
  purchases: (FanPurchase & { version: number })[];
}

export interface ReadModelQueries {
  PurchaseStatus: { params: { purchaseId: string }; result: PurchaseStatus };
  ConcertAvailability: { params: { concertId: string }; result: ConcertAvailability };
  FanPurchases: { params: { fanId: string }; result: FanPurchases };
  ConcertSales: { params: { concertId: string }; result: ConcertSales };
}

export type ReadModelQueryBus = QueryBus<ReadModelQueries>;

/** The read models' tables. */
export interface ReadModelTables {
  purchaseStatus: RowStore;
  fanPurchases: RowStore;
  concertAvailability: RowStore;
  concertSales: RowStore;
}

async function streamRow<V>(rows: RowStore, partitionKey: string, rowKey: string): Promise<QueryResult<V>> {
  const found = await readRow<V>(rows, { partitionKey, rowKey });
  return found && { version: found.row.version, data: viewOf(found.row) };
}

export function readPurchaseStatus(rows: RowStore, purchaseId: string): Promise<QueryResult<PurchaseStatus>> {
  return streamRow(rows, tableKey(purchaseId), "status");
}

export function readConcertAvailability(rows: RowStore, concertId: string): Promise<QueryResult<ConcertAvailability>> {
  return streamRow(rows, tableKey(concertId), "availability");
}

export async function readFanPurchases(rows: RowStore, fanId: string): Promise<QueryResult<FanPurchases>> {
  const found = (await rows.listPartition(tableKey(fanId))).map((r) => decodeView<Versioned<FanPurchase>>(r.properties));
  const purchases = found
    .map((row) => ({ ...viewOf(row), version: row.version }))
    .sort((a, b) => (a.placedAt === b.placedAt ? (a.purchaseId < b.purchaseId ? -1 : 1) : a.placedAt < b.placedAt ? 1 : -1));
  // An unknown fan and a fan without purchases look alike here: an empty list at version 0.
  return { version: found.reduce((sum, r) => sum + r.version, 0), data: { fanId, purchases } };
}

/** A scheduled concert without sales has zeros (version 0); an unknown concert has nothing. */
export async function readConcertSales(sales: RowStore, availability: RowStore, concertId: string): Promise<QueryResult<ConcertSales>> {
  const found = await readSales(sales, concertId);
  if (found) return { version: found.sales.purchases, data: found.sales };
  const concert = await readConcertAvailability(availability, concertId);
  return concert && { version: 0, data: emptySales(concertId) };
}

export function createReadModelQueryBus(tables: ReadModelTables, options: QueryBusOptions = {}): ReadModelQueryBus {
  return new QueryBus<ReadModelQueries>(options)
    .register("PurchaseStatus", ({ purchaseId }) => readPurchaseStatus(tables.purchaseStatus, purchaseId))
    .register("ConcertAvailability", ({ concertId }) => readConcertAvailability(tables.concertAvailability, concertId))
    .register("FanPurchases", ({ fanId }) => readFanPurchases(tables.fanPurchases, fanId))
    .register("ConcertSales", ({ concertId }) => readConcertSales(tables.concertSales, tables.concertAvailability, concertId));
}

