/**
 * The timeline of this process: the Table `timeline` store, installed as the hop recorder, when Timeline__enabled
 * (default) and the storage connection is set; otherwise hops go nowhere and the endpoint reads an empty table.
 */
import { type Env, plainSettings, tableConnection, topology } from "../config.js";
import { createTableClient, LazyTable } from "../storage/table-client.js";
import type { HopReader } from "./hop-recorder.js";
import { useHopRecorder } from "./hop-recorder.js";
import { InMemoryHopStore } from "./in-memory-hop-store.js";
import { TableHopStore } from "./table-hop-store.js";

let current: (HopReader & { close(): Promise<void> }) | undefined;

export function startTimeline(env: Env = process.env, onError: (error: unknown, hops: number) => void = reportHopError): HopReader {
  if (current) return current;
  const text = env[plainSettings.timelineEnabled.name]?.trim() || plainSettings.timelineEnabled.default;
  let store: HopReader & { close(): Promise<void> };
  try {
    const table = new LazyTable(createTableClient(tableConnection(env), topology.tables.timeline));
    store = new TableHopStore(table, { onError });
    if (plainSettings.timelineEnabled.parse(text)) useHopRecorder(store as TableHopStore);
  } catch (err) {
    // No storage setting: the app reports that where it matters; the timeline stays in memory meanwhile.
    onError(err, 0);
    const memory = new InMemoryHopStore();
    useHopRecorder(memory);
    store = memory;
  }
  current = store;
  return store;
}

/** Where the timeline endpoint reads hops (starting the timeline if nothing did). */
export function timelineHops(): HopReader {
  return current ?? startTimeline();
}

/** Writes the hops still queued (app terminate). */
export async function closeTimeline(): Promise<void> {
  const closing = current;
  current = undefined;
  useHopRecorder(undefined);
  await closing?.close();
}

let lastReport = 0;
function reportHopError(error: unknown, hops: number): void {
  // At most one line every 10 s: a missing table must not flood the log of every purchase.
  if (Date.now() - lastReport < 10_000) return;
  lastReport = Date.now();
  console.warn(`timeline: ${hops} hop(s) not written: ${error instanceof Error ? error.message : String(error)}`);
}
