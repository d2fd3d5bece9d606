/**
 * Every stream of a kind, read whole from the event store, for rebuilding read models from scratch. The port reads
 * one stream at a time (readStream); a rebuild needs them all, so this scans the Table Storage layout the event
 * store writes (src/eventstore/table-event-store.ts: PartitionKey = stream id, RowKey `e:<version, 10 digits>`):
 * one query over a PartitionKey range, which the service answers in PartitionKey then RowKey order, so each
 * stream's events arrive together and in version order.
 */
import { odata, type TableClient } from "@azure/data-tables";
import type { CloudEvent } from "../events/envelope.js";
import type { EventStore, StoredEvent } from "../eventstore/event-store.js";
import { readJson } from "../eventstore/table-json.js";

export interface EventHistory {
  /** The streams whose ids start with `prefix` but none of `except`, one at a time, each in version order. */
  streams(prefix: string, except?: readonly string[]): AsyncIterable<StoredEvent[]>;
}

/** The text right after every string that starts with `prefix` (its last character's successor). */
export function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

/** [from, to) ranges covering `prefix` without the `except` prefixes (each of which starts with `prefix`). */
export function keyRanges(prefix: string, except: readonly string[] = []): [string, string][] {
  const ranges: [string, string][] = [];
  let from = prefix;
  for (const hole of [...except].sort()) {
    if (hole > from) ranges.push([from, hole]);
    from = prefixEnd(hole) > from ? prefixEnd(hole) : from;
  }
  ranges.push([from, prefixEnd(prefix)]);
  return ranges;
}

export class TableEventHistory implements EventHistory {
  constructor(private readonly events: TableClient) {}

  async *streams(prefix: string, except: readonly string[] = []): AsyncIterable<StoredEvent[]> {
    for (const [from, to] of keyRanges(prefix, except)) {
      const filter = odata`PartitionKey ge ${from} and PartitionKey lt ${to} and RowKey ge ${"e:"} and RowKey lt ${"e;"}`;
      let current: StoredEvent[] = [];
      for await (const row of this.events.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
        const streamId = String(row.partitionKey);
        if (current.length > 0 && current[0].streamId !== streamId) {
          yield current;
          current = [];
        }
        current.push({ streamId, version: Number(String(row.rowKey).slice(2)), event: readJson<CloudEvent>(row, "event") });
      }
      if (current.length > 0) yield current;
    }
  }
}

/** Named streams of any event store (unit tests, and small tools that know their streams). */
export class ListedEventHistory implements EventHistory {
  constructor(
    private readonly store: Pick<EventStore, "readStream">,
    private readonly streamIds: readonly string[],
  ) {}

  async *streams(prefix: string, except: readonly string[] = []): AsyncIterable<StoredEvent[]> {
    for (const streamId of [...this.streamIds].sort()) {
      if (!streamId.startsWith(prefix) || except.some((e) => streamId.startsWith(e))) continue;
      const { events } = await this.store.readStream(streamId);
      if (events.length > 0) yield events;
    }
  }
}
