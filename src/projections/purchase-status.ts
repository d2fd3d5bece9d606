/**
 * Read model `purchasestatus`: one row per purchase (PartitionKey = purchase id, RowKey `status`), what
 * `GET /api/purchases/{id}` answers: pending, completed with the tickets, or cancelled with the reason; `version` =
 * the version of stream purchase-<id> (1 placed, 2 the outcome).
 */
import { topology } from "../config.js";
import type { MessageData } from "../events/catalog.js";
import { purchaseEventNames, type PurchaseEventName, purchaseStreamId } from "../domain/purchase.js";
import { tableKey } from "../services/table-keys.js";
import type { ProjectedEvent } from "./projected-event.js";
import type { StreamProjection } from "./stream-projection.js";

type Placed = MessageData<"PurchasePlaced">;
type Cancelled = MessageData<"PurchaseCancelled">;

export interface PurchaseStatus {
  purchaseId: string;
  concertId: string;
  status: "pending" | "completed" | "cancelled";
  fan: Placed["fan"];
  tier: Placed["tier"];
  quantity: number;
  unitPriceCents: number;
  totalCents: number;
  placedAt: string;
  /** Completed: the tickets, the payment, when. */
  ticketIds?: string[];
  paymentId?: string;
  completedAt?: string;
  /** Cancelled: why, whether the money went back, when. */
  reason?: Cancelled["reason"];
  detail?: string;
  refunded?: boolean;
  cancelledAt?: string;
}

export function evolvePurchaseStatus(view: PurchaseStatus | undefined, event: ProjectedEvent<PurchaseEventName>): PurchaseStatus {
  switch (event.name) {
    case "PurchasePlaced": {
      const { purchaseId, concertId, fan, tier, quantity, unitPriceCents, totalCents, placedAt } = event.data;
      return { purchaseId, concertId, status: "pending", fan, tier, quantity, unitPriceCents, totalCents, placedAt };
    }
    case "PurchaseCompleted": {
      const { ticketIds, paymentId, completedAt } = event.data;
      return { ...placedBefore(view, event), status: "completed", ticketIds, paymentId, completedAt };
    }
    case "PurchaseCancelled": {
      const { reason, detail, refunded, cancelledAt } = event.data;
      return { ...placedBefore(view, event), status: "cancelled", reason, ...(detail === undefined ? {} : { detail }), refunded, cancelledAt };
    }
  }
}

/** Every purchase stream starts with PurchasePlaced, and the writer folds a new row from the stream's start. */
export function placedBefore<V>(view: V | undefined, event: ProjectedEvent): V {
  if (!view) throw new Error(`${event.name} ${event.id} before the purchase was placed`);
  return view;
}

export const purchaseStatusProjection: StreamProjection<PurchaseStatus, PurchaseEventName> = {
  name: "purchase-status",
  table: topology.tables.purchaseStatus,
  streamPrefix: "purchase-",
  otherStreams: ["purchase-process-"],
  streamIdOf: (event) => purchaseStreamId(event.data.purchaseId),
  eventNames: purchaseEventNames,
  rowOf: (event) => ({ partitionKey: tableKey(event.data.purchaseId), rowKey: "status" }),
  evolve: evolvePurchaseStatus,
};
