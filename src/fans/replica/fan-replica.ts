/**
 * The ticketing side's replica of the fans' profiles (event-carried state transfer): Table `fanreplica`, one row
 * per fan, kept from FanProfileUpdated events, which carry the whole profile. Purchases read their fan's details
 * here and never call the fans API, so they keep working while the fans service is down.
 *
 *   PartitionKey  the fan id          RowKey  `profile`
 *   email, name, phone?, city?        the profile as the event carried it (Replace: absent fields go)
 *   streamVersion, eventId, updatedAt which event of stream fan-<fanId> the row reflects
 *
 * Ordered and idempotent without an inbox: an event is applied only when its stream version is above the row's,
 * so a redelivered event, or an older one arriving after a newer one, changes nothing. Writes are conditional
 * (create, or replace with the row's ETag), so two consumers racing on one fan cannot let the older one win.
 * Lives beside the fans service's code but belongs to the ticketing side: it reads only events, never the fans
 * service's streams or API.
 */
import type { TableClient } from "@azure/data-tables";
import type { CatalogMessage } from "../../events/catalog.js";
import { isStatus, type LazyTable } from "../../storage/table-client.js";
import { tableKey } from "../../services/table-keys.js";

export interface ReplicatedFan {
  fanId: string;
  email: string;
  name: string;
  phone?: string;
  city?: string;
  /** The version of stream fan-<fanId> this copy reflects. */
  streamVersion: number;
  eventId: string;
  updatedAt: string;
}

export type ReplicaUpdate = { applied: true; streamVersion: number } | { applied: false; reason: "stale"; streamVersion: number; replicaVersion: number };

/** What purchases need from the replica. */
export interface FanReplicaReader {
  get(fanId: string): Promise<ReplicatedFan | undefined>;
}

const ROW_KEY = "profile";
/** Racing writers on one fan: each lost race re-reads; more than a few means something else is wrong. */
const MAX_ATTEMPTS = 5;

type Row = ReplicatedFan & { partitionKey: string; rowKey: string; etag?: string };

export function replicatedFanOf(event: CatalogMessage<"FanProfileUpdated">): ReplicatedFan {
  const { fanId, email, name, phone, city, streamVersion, updatedAt } = event.data;
  return { fanId, email, name, ...(phone === undefined ? {} : { phone }), ...(city === undefined ? {} : { city }), streamVersion, eventId: event.id, updatedAt };
}

export class TableFanReplica implements FanReplicaReader {
  constructor(private readonly table: LazyTable) {}

  async get(fanId: string): Promise<ReplicatedFan | undefined> {
    const row = await this.read(await this.table.use(), fanId);
    return row ? toFan(row) : undefined;
  }

  /** Applies the event's profile when it is newer than the copy. */
  async apply(event: CatalogMessage<"FanProfileUpdated">): Promise<ReplicaUpdate> {
    const client = await this.table.use();
    const fan = replicatedFanOf(event);
    const entity = { partitionKey: tableKey(fan.fanId), rowKey: ROW_KEY, ...fan };
    for (let attempt = 1; ; attempt++) {
      const current = await this.read(client, fan.fanId);
      if (current && current.streamVersion >= fan.streamVersion) return { applied: false, reason: "stale", streamVersion: fan.streamVersion, replicaVersion: current.streamVersion };
      try {
        if (current) await client.updateEntity(entity, "Replace", { etag: current.etag! });
        else await client.createEntity(entity);
        return { applied: true, streamVersion: fan.streamVersion };
      } catch (err) {
        // 409: another writer created the row first; 412: it changed since we read it. Read again and decide again.
        if (!(isStatus(err, 409) || isStatus(err, 412)) || attempt >= MAX_ATTEMPTS) throw err;
      }
    }
  }

  private async read(client: TableClient, fanId: string): Promise<Row | undefined> {
    try {
      return await client.getEntity<Row>(tableKey(fanId), ROW_KEY);
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      throw err;
    }
  }
}

function toFan(row: Row): ReplicatedFan {
  const { fanId, email, name, phone, city, streamVersion, eventId, updatedAt } = row;
  return { fanId, email, name, ...(phone ? { phone } : {}), ...(city ? { city } : {}), streamVersion, eventId, updatedAt };
}
