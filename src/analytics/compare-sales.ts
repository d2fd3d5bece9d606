/**
 * Compares two sales-per-minute read models minute by minute (the marks are bookkeeping, not results): what a
 * replay from the beginning of the stream must agree on with the live read model.
 */
import { isDeepStrictEqual } from "node:util";
import type { RowStore } from "../projections/row-store.js";
import type { MinuteSales } from "./sales-per-minute.js";
import { readAllMinutes } from "./sales-per-minute-writer.js";

export interface MinuteDifference {
  concertId: string;
  minute: string;
  live?: MinuteSales;
  replayed?: MinuteSales;
}

export interface SalesComparison {
  equal: boolean;
  liveMinutes: number;
  replayedMinutes: number;
  differences: MinuteDifference[];
}

const keyOf = (m: MinuteSales) => `${m.concertId}\u0000${m.minute}`;

export function compareMinutes(live: readonly MinuteSales[], replayed: readonly MinuteSales[]): SalesComparison {
  const liveByKey = new Map(live.map((m) => [keyOf(m), m]));
  const replayedByKey = new Map(replayed.map((m) => [keyOf(m), m]));
  const differences: MinuteDifference[] = [];
  for (const key of [...new Set([...liveByKey.keys(), ...replayedByKey.keys()])].sort()) {
    const l = liveByKey.get(key);
    const r = replayedByKey.get(key);
    if (l && r && isDeepStrictEqual(l, r)) continue;
    const [concertId, minute] = key.split("\u0000");
    differences.push({ concertId, minute, ...(l ? { live: l } : {}), ...(r ? { replayed: r } : {}) });
  }
  return { equal: differences.length === 0, liveMinutes: live.length, replayedMinutes: replayed.length, differences };
}

export async function compareReadModels(live: RowStore, replayed: RowStore): Promise<SalesComparison> {
  const [l, r] = await Promise.all([readAllMinutes(live), readAllMinutes(replayed)]);
  return compareMinutes(l, r);
}
