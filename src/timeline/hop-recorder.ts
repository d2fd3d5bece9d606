/**
 * Where hops go: one recorder per process (the Functions worker installs the Table one when the app loads; tests may
 * install an in-memory one). Recording is fire-and-forget and never throws: a hop that cannot be written is lost,
 * the business operation is not.
 */
import { randomBytes } from "node:crypto";
import type { Hop } from "./hop.js";

export interface HopRecorder {
  /** Takes hops to write later (in batches); never throws. */
  record(hops: readonly Hop[]): void;
  /** Writes what is pending. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface HopReader {
  /** The hops of one purchase, in no particular order. */
  hopsOfPurchase(purchaseId: string): Promise<Hop[]>;
}

const nowhere: HopRecorder = { record() {}, flush: async () => {}, close: async () => {} };
let current: HopRecorder = nowhere;

/** This process' tag in every hop's row key: two processes' hops of the same millisecond never collide. */
export const processTag = randomBytes(4).toString("hex");
let sequence = 0;

/** Installs `recorder` for this process and returns the one it replaces. */
export function useHopRecorder(recorder: HopRecorder | undefined): HopRecorder {
  const previous = current;
  current = recorder ?? nowhere;
  return previous;
}

export function hopRecorder(): HopRecorder {
  return current;
}

/** Records hops with this process' sequence numbers; never throws. */
export function recordHops(hops: readonly Hop[]): void {
  if (hops.length === 0 || current === nowhere) return;
  try {
    current.record(hops.map((hop) => ({ ...hop, seq: ++sequence, process: processTag })));
  } catch {
    // A timeline is an aid; the operation it describes goes on.
  }
}
