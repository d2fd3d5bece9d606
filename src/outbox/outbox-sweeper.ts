/**
 * Delivers what the relay did not: outbox records still pending a grace period after their commit (the process
 * died between commit and publish, or a destination was down). A timer function runs it every 30 s; the grace
 * period keeps it from racing the relay of a commit that is being delivered right now.
 */
import type { EventStore } from "../eventstore/event-store.js";
import type { DeliveryReport, OutboxRelay } from "./outbox-relay.js";
import { currentTime } from "../clock.js";

export interface SweepReport {
  found: number;
  sent: number;
  failed: number;
}

export interface OutboxSweeperOptions {
  store: EventStore;
  relay: Pick<OutboxRelay, "deliver">;
  /** Records younger than this are left to the relay (Outbox__sweepGracePeriod, default 5 s). */
  gracePeriodMs?: number;
  /** Records per delivery (default 100). */
  batchSize?: number;
  now?: () => Date;
}

export class OutboxSweeper {
  constructor(private readonly options: OutboxSweeperOptions) {}

  async sweep(): Promise<SweepReport> {
    const { store, relay, gracePeriodMs = 5_000, batchSize = 100 } = this.options;
    const now = this.options.now?.() ?? currentTime();
    const pending = await store.pendingOutbox({ createdBefore: new Date(now.getTime() - gracePeriodMs) });
    const report: SweepReport = { found: pending.length, sent: 0, failed: 0 };
    for (let i = 0; i < pending.length; i += batchSize) {
      const delivered: DeliveryReport = await relay.deliver(pending.slice(i, i + batchSize));
      report.sent += delivered.sent.length;
      report.failed += delivered.failed.length;
    }
    return report;
  }
}
