/**
 * Read model `fanpurchases`: a fan's purchases, PartitionKey = fan id, one row per purchase (RowKey = purchase id),
 * for `GET /api/fans/{fanId}/purchases`. Each row is kept from its purchase's stream and remembers that stream's
 * version, like the purchase status; the list's own version is the sum of its rows' versions, which grows with every
 * change to any of them.
 */
import { topology } from "../config.js";
import { purchaseEventNames, type PurchaseEventName, purchaseStreamId } from "../domain/purchase.js";
import type { MessageData } from "../events/catalog.js";
import { tableKey } from "../services/table-keys.js";
import type { ProjectedEvent } from "./projected-event.js";
import { placedBefore } from "./purchase-status.js";
import type { StreamProjection } from "./stream-projection.js";

export interface FanPurchase {
  purchaseId: string;
  fanId: string;
  concertId: string;
  status: "pending" | "completed" | "cancelled";
  tier: MessageData<"PurchasePlaced">["tier"];
  quantity: number;
  totalCents: number;
  placedAt: string;
  ticketIds?: string[];
  completedAt?: string;
  reason?: MessageData<"PurchaseCancelled">["reason"];
  cancelledAt?: string;
}

export function evolveFanPurchase(view: FanPurchase | undefined, event: ProjectedEvent<PurchaseEventName>): FanPurchase {
  switch (event.name) {
    case "PurchasePlaced": {
      const { purchaseId, fan, concertId, tier, quantity, totalCents, placedAt } = event.data;
      return { purchaseId, fanId: fan.id, concertId, status: "pending", tier, quantity, totalCents, placedAt };
    }
    case "PurchaseCompleted":
      return { ...placedBefore(view, event), status: "completed", ticketIds: event.data.ticketIds, completedAt: event.data.completedAt };
    case "PurchaseCancelled":
      return { ...placedBefore(view, event), status: "cancelled", reason: event.data.reason, cancelledAt: event.data.cancelledAt };
  }
}

export const fanPurchasesProjection: StreamProjection<FanPurchase, PurchaseEventName> = {
  name: "fan-purchases",
  table: topology.tables.fanPurchases,
  streamPrefix: "purchase-",
  otherStreams: ["purchase-process-"],
  streamIdOf: (event) => purchaseStreamId(event.data.purchaseId),
  eventNames: purchaseEventNames,
  rowOf: (event) => ({ partitionKey: tableKey(event.data.fan.id), rowKey: tableKey(event.data.purchaseId) }),
  evolve: evolveFanPurchase,
};
