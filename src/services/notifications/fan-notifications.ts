/**
 * Notifications to fans (the push channel beside e-mail): the catalog's `notify` events, PurchaseCompleted and
 * PurchaseCancelled, reach the notify-fan function through the Event Grid topic. Each is recorded in Table
 * `notifications`, one row per purchase and outcome, written with an upsert: Event Grid delivers at least once, and a
 * redelivered event rewrites the same row instead of notifying twice. A push provider would send from this table.
 */
import type { CatalogMessage } from "../../events/catalog.js";
import type { LazyTable } from "../../storage/table-client.js";

export type NotifyEventName = "PurchaseCompleted" | "PurchaseCancelled";

export interface FanNotification {
  purchaseId: string;
  kind: NotifyEventName;
  fanId: string;
  to: string;
  title: string;
  text: string;
  correlationId: string;
  eventId: string;
  /** When the outcome happened and when the fan was notified, ISO 8601. */
  occurredAt: string;
  notifiedAt: string;
}

export function notificationFor(name: NotifyEventName, event: CatalogMessage<NotifyEventName>, now: Date): FanNotification {
  const d = event.data;
  const common = { purchaseId: d.purchaseId, kind: name, fanId: d.fan.id, to: d.fan.email, correlationId: event.correlationid, eventId: event.id, notifiedAt: now.toISOString() };
  if (name === "PurchaseCompleted") {
    const c = (event as CatalogMessage<"PurchaseCompleted">).data;
    return { ...common, title: "Your tickets are ready", text: `${c.quantity} ${c.tier} ticket(s) for ${c.concertId}: ${c.ticketIds.join(", ")}.`, occurredAt: c.completedAt };
  }
  const c = (event as CatalogMessage<"PurchaseCancelled">).data;
  return { ...common, title: "Your purchase was cancelled", text: `Purchase ${c.purchaseId} for ${c.concertId} was cancelled (${c.reason})${c.refunded ? "; your payment was refunded" : ""}.`, occurredAt: c.cancelledAt };
}

export class FanNotifications {
  constructor(private readonly table: LazyTable) {}

  async record(notification: FanNotification): Promise<void> {
    const client = await this.table.use();
    await client.upsertEntity({ partitionKey: notification.purchaseId, rowKey: notification.kind, ...notification }, "Replace");
  }
}
