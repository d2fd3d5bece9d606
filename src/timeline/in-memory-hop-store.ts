/** Hops kept in memory: for tests and for a process without storage. */
import { type Hop, partitionOf, purchasePartition } from "./hop.js";
import type { HopReader, HopRecorder } from "./hop-recorder.js";

export class InMemoryHopStore implements HopRecorder, HopReader {
  readonly hops: Hop[] = [];

  record(hops: readonly Hop[]): void {
    this.hops.push(...hops);
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {}

  async hopsOfPurchase(purchaseId: string): Promise<Hop[]> {
    const pk = purchasePartition(purchaseId);
    return this.hops.filter((h) => partitionOf(h) === pk);
  }
}
