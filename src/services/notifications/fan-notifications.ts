/**
 * Notifications to fans. The slice has no e-mail provider yet: a notification is recorded in the `notifications`
 * table (one row per purchase and kind, so a redelivered event rewrites the same row instead of notifying twice),
 * which is what an e-mail sender will read from.
 */
import type { CatalogEvent } from "../../events/catalog.js";
import type { LazyTable } from "../../storage/table-client.js";

export interface FanNotification {
  purchaseId: string;
  kind: "PurchaseCompleted" | "PurchaseDeclined";
  to: string;
  subject: string;
  body: string;
  correlationId: string;
  eventId: string;
  /** When the event happened (completedAt / declinedAt) and when the fan was notified, ISO 8601. */
  occurredAt: string;
  notifiedAt: string;
}

export function notificationFor(event: CatalogEvent<"PurchaseCompleted" | "PurchaseDeclined">, now: Date): FanNotification {
  const common = { purchaseId: event.data.purchaseId, to: event.data.fan.email, correlationId: event.correlationid, eventId: event.id, notifiedAt: now.toISOString() };
  const greeting = `Hello ${event.data.fan.name ?? event.data.fan.id},`;
  if ("ticketIds" in event.data) {
    const d = event.data;
    return {
      ...common,
      kind: "PurchaseCompleted",
      subject: `Your tickets for ${d.concertId}`,
      body: `${greeting}\n\nyour purchase ${d.purchaseId} is complete. Tickets: ${d.ticketIds.join(", ")}.`,
      occurredAt: d.completedAt,
    };
  }
  const d = event.data;
  return {
    ...common,
    kind: "PurchaseDeclined",
    subject: `Your purchase for ${d.concertId} was declined`,
    body: `${greeting}\n\nyour purchase ${d.purchaseId} was declined (${d.reason}). You have not been charged.`,
    occurredAt: d.declinedAt,
  };
}

export class FanNotifications {
  constructor(private readonly table: LazyTable) {}

  async record(notification: FanNotification): Promise<void> {
    const client = await this.table.use();
    await client.upsertEntity({ partitionKey: notification.purchaseId, rowKey: notification.kind, ...notification }, "Replace");
  }

  async list(purchaseId: string): Promise<FanNotification[]> {
    const client = await this.table.use();
    const out: FanNotification[] = [];
    for await (const e of client.listEntities<FanNotification>({ queryOptions: { filter: `PartitionKey eq '${purchaseId.replace(/'/g, "''")}'` } })) out.push(e);
    return out;
  }
}
