/**
 * The read models of the query side, each with how it is kept live (one event at a time, from the bus) and how it is
 * rebuilt (every stream from the event store, each in version order):
 *
 *   purchase-status       table purchasestatus       from purchase-* streams    GET /api/purchases/{id}
 *   fan-purchases         table fanpurchases         from purchase-* streams    GET /api/fans/{fanId}/purchases
 *   concert-availability  table concertavailability  from concert-* streams     GET /api/concerts/{id}
 *   concert-sales         table concertsales         PurchaseCompleted          GET /api/concerts/{id}/sales
 */
import { topology } from "../config.js";
import type { ConcertEventName } from "../domain/concert.js";
import { type PurchaseEventName, purchaseStreamId } from "../domain/purchase.js";
import type { MessageName } from "../events/catalog.js";
import type { EventStore } from "../eventstore/event-store.js";
import { concertAvailabilityProjection } from "./concert-availability.js";
import { addCompletedPurchase, applyCompletedPurchases, type ConcertSales, MAX_PURCHASES_PER_WRITE, markerOf, markerRowOf, TOTALS_ROW, totalsProperties } from "./concert-sales.js";
import { fanPurchasesProjection } from "./fan-purchases.js";
import type { ProjectedEvent } from "./projected-event.js";
import { purchaseStatusProjection } from "./purchase-status.js";
import { encodeView } from "./row-codec.js";
import type { RowCache } from "./row-cache.js";
import type { RowProperties, RowStore } from "./row-store.js";
import { type ApplyOutcome, applyStreamEvents, foldStream, isProjectedBy, type StreamProjection } from "./stream-projection.js";
import { tableKey } from "../services/table-keys.js";

export interface RowOut {
  partitionKey: string;
  rowKey: string;
  properties: RowProperties;
}

/** A rebuild in progress: fed each stream whole, in version order; `finish` gives the rows that gather streams. */
export interface Replay {
  stream(events: readonly ProjectedEvent[]): RowOut[];
  finish(): RowOut[];
}

export interface ReadModel {
  readonly name: string;
  readonly table: string;
  /** The streams it is kept from: ids starting with the prefix, except those of `otherStreams` (another kind). */
  readonly streamPrefix: string;
  readonly otherStreams: readonly string[];
  /** The events it reads from the bus (the `projections` subscription delivers their union). */
  readonly eventNames: readonly MessageName[];
  /** Whether the event is one it reads, from the stream it expects (its data names the stream). */
  reads(event: ProjectedEvent): boolean;
  /** What an event changes (a row, or the partition of the sales): events with the same key are applied together. */
  keyOf(event: ProjectedEvent): string;
  /** How many events of one key one write takes at most. */
  readonly maxBatch: number;
  /** Applies events of one key (in any order, duplicates included); one outcome per event, in order. */
  applyAll(events: readonly ProjectedEvent[], rows: RowStore, store: Pick<EventStore, "readStream">, cache?: RowCache): Promise<ApplyOutcome[]>;
  replay(): Replay;
}

function streamReadModel<N extends MessageName>(projection: StreamProjection<object, N>): ReadModel {
  return {
    name: projection.name,
    table: projection.table,
    streamPrefix: projection.streamPrefix,
    otherStreams: projection.otherStreams ?? [],
    reads: (event) => isProjectedBy(projection, event),
    eventNames: projection.eventNames,
    keyOf: (event) => {
      const key = projection.rowOf(event as ProjectedEvent<N>);
      return `${key.partitionKey}\n${key.rowKey}`;
    },
    maxBatch: 100,
    applyAll: (events, rows, store, cache) => applyStreamEvents(projection, rows, store, events as ProjectedEvent<N>[], cache),
    replay: () => ({
      stream: (events) => [...foldStream(projection, events).values()].map(({ key, row }) => ({ ...key, properties: encodeView(row) })),
      finish: () => [],
    }),
  };
}

const isCountedSale = (event: ProjectedEvent): event is ProjectedEvent<"PurchaseCompleted"> =>
  event.name === "PurchaseCompleted" && event.streamId === purchaseStreamId(event.data.purchaseId);

const concertSales: ReadModel = {
  name: "concert-sales",
  table: topology.tables.concertSales,
  streamPrefix: "purchase-",
  otherStreams: ["purchase-process-"],
  eventNames: ["PurchaseCompleted"],
  reads: isCountedSale,
  keyOf: (event) => (event as ProjectedEvent<"PurchaseCompleted">).data.concertId,
  maxBatch: MAX_PURCHASES_PER_WRITE,
  applyAll: (events, rows, _store, cache) => applyCompletedPurchases(rows, events as ProjectedEvent<"PurchaseCompleted">[], cache),
  replay() {
    const totals = new Map<string, ConcertSales>();
    return {
      stream(events) {
        const completed = events.filter(isCountedSale);
        return completed.map((event) => {
          totals.set(event.data.concertId, addCompletedPurchase(totals.get(event.data.concertId), event));
          return { partitionKey: tableKey(event.data.concertId), rowKey: markerRowOf(event.data.purchaseId), properties: encodeView(markerOf(event)) };
        });
      },
      finish: () => [...totals.values()].map((sales) => ({ partitionKey: tableKey(sales.concertId), rowKey: TOTALS_ROW, properties: totalsProperties(sales) })),
    };
  },
};

export const readModels: readonly ReadModel[] = [
  streamReadModel<PurchaseEventName>(purchaseStatusProjection),
  streamReadModel<PurchaseEventName>(fanPurchasesProjection),
  streamReadModel<ConcertEventName>(concertAvailabilityProjection),
  concertSales,
];

export type ReadModelName = "purchase-status" | "fan-purchases" | "concert-availability" | "concert-sales";

export function readModelNamed(name: string): ReadModel | undefined {
  return readModels.find((m) => m.name === name);
}

/** Every event type some read model reads: the filter of the `projections` subscription. */
export const projectionEventNames: readonly MessageName[] = [...new Set(readModels.flatMap((m) => m.eventNames))];

