/**
 * Output batching: take events from the head of a subscription's queue up to `maxEventsPerBatch` and the
 * preferred size (a soft ceiling: a larger event still goes, alone). Event Grid never waits to fill a batch.
 */
import type { BatchSettings } from "../config-types.js";

export interface Sized {
  bytes: number;
}

export function takeBatch<T extends Sized>(queue: T[], settings: BatchSettings): T[] {
  const limitBytes = settings.preferredBatchSizeInKilobytes * 1024;
  let count = 0;
  let bytes = 0;
  while (count < queue.length && count < settings.maxEventsPerBatch) {
    const next = queue[count].bytes;
    if (count > 0 && bytes + next > limitBytes) break;
    bytes += next;
    count++;
  }
  return queue.splice(0, count);
}
