/**
 * The namespace as the Kafka endpoint sees it: event hubs (topics) with a fixed number of partition logs, from
 * config only. Names are matched case-insensitively, as Event Hubs does.
 */
import type { EventHubConfig, EventHubsConfig } from "../config.js";
import { PartitionLog } from "./partition-log.js";

export class EventHub {
  readonly partitions: PartitionLog[];

  constructor(readonly config: EventHubConfig) {
    this.partitions = Array.from({ length: config.partitionCount }, (_, p) => new PartitionLog(config.name, p));
  }

  get name(): string {
    return this.config.name;
  }

  partition(index: number): PartitionLog | undefined {
    return Number.isInteger(index) && index >= 0 ? this.partitions[index] : undefined;
  }
}

export class EventHubNamespace {
  private readonly hubs = new Map<string, EventHub>();

  constructor(readonly config: EventHubsConfig) {
    for (const hub of config.eventHubs) this.hubs.set(hub.name.toLowerCase(), new EventHub(hub));
  }

  get name(): string {
    return this.config.namespace;
  }

  hub(name: string): EventHub | undefined {
    return this.hubs.get(name.toLowerCase());
  }

  all(): EventHub[] {
    return [...this.hubs.values()];
  }

  /** Applies each hub's retention at `now`; returns the number of batches deleted. */
  expire(now: number): number {
    let removed = 0;
    for (const hub of this.hubs.values()) {
      for (const log of hub.partitions) removed += log.expireBefore(now - hub.config.retentionMs);
    }
    return removed;
  }
}
