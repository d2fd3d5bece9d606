/**
 * The simulated fan-facing webhook's memory (Table `fanwebhook`): one row per pushed event, PartitionKey = fan id,
 * RowKey = event id, so a redelivery (Event Grid delivers at least once) overwrites its own row. `npm start` users
 * and tests read what the fans' side received.
 */
import type { TableClient } from "@azure/data-tables";
import { tableKey } from "../services/table-keys.js";
import type { LazyTable } from "../storage/table-client.js";
import type { DeliveredCloudEvent } from "./cloud-events-delivery.js";
import { topology } from "../config.js";

export const FAN_WEBHOOK_TABLE = topology.tables.fanWebhook;

export interface FanPush {
  fanId: string;
  eventId: string;
  type: string;
  purchaseId?: string;
  concertId?: string;
  tier?: string;
  correlationId?: string;
  receivedAt: string;
}

const text = (v: unknown) => (typeof v === "string" ? v : undefined);

export function fanPushOf(event: DeliveredCloudEvent, receivedAt: Date): FanPush {
  const data = (typeof event.data === "object" && event.data !== null ? event.data : {}) as Record<string, unknown>;
  const fan = (typeof data.fan === "object" && data.fan !== null ? data.fan : {}) as Record<string, unknown>;
  const push: FanPush = { fanId: text(fan.id) ?? "unknown", eventId: event.id, type: event.type, receivedAt: receivedAt.toISOString() };
  for (const [key, value] of [["purchaseId", data.purchaseId], ["concertId", data.concertId], ["tier", data.tier], ["correlationId", event.correlationid]] as const) {
    const v = text(value);
    if (v !== undefined) push[key] = v;
  }
  return push;
}

export class FanWebhookLog {
  constructor(private readonly table: LazyTable) {}

  async record(pushes: readonly FanPush[]): Promise<void> {
    const client = await this.table.use();
    await Promise.all(pushes.map((p) => client.upsertEntity({ partitionKey: tableKey(p.fanId), rowKey: tableKey(p.eventId), ...p }, "Replace")));
  }

  async forFan(fanId: string): Promise<FanPush[]> {
    const client: TableClient = await this.table.use();
    const out: FanPush[] = [];
    for await (const e of client.listEntities<FanPush>({ queryOptions: { filter: `PartitionKey eq '${tableKey(fanId).replace(/'/g, "''")}'` } })) {
      const { partitionKey: _p, rowKey: _r, etag: _e, timestamp: _t, ...push } = e as FanPush & { partitionKey: string; rowKey: string; etag: string; timestamp?: string };
      out.push(push);
    }
    return out;
  }
}
