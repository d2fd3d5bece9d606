/**
 * The namespace as the Kafka endpoint sees it: event hubs (topics) with a fixed number of partition logs, from
 * config only. Names are matched case-insensitively, as Event Hubs does.
 */
import type { EventHubConfig, EventHubsConfig } from "../config.js";
import { PartitionLog } from "./partition-log.js";
import { TmpfsSegments } from "./tmpfs-segments.js";

export interface NamespaceOptions {
  /** Keep batch bytes in tmpfs segments (memory mode on Linux) rather than in the heap. */
  tmpfs: boolean;
}

export class EventHub {
  readonly partitions: PartitionLog[];

  constructor(
    readonly config: EventHubConfig,
    options: NamespaceOptions,
  ) {
    this.partitions = Array.from(
      { length: config.partitionCount },
      (_, p) => new PartitionLog(config.name, p, options.tmpfs ? new TmpfsSegments(`${config.name}-${p}`) : undefined),
    );
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

  constructor(
    readonly config: EventHubsConfig,
    options: NamespaceOptions = { tmpfs: false },
  ) {
    for (const hub of config.eventHubs) this.hubs.set(hub.name.toLowerCase(), new EventHub(hub, options));
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

  /** Bytes of batches kept in tmpfs segments (RAM outside the process's resident set). */
  segmentBytes(): number {
    let bytes = 0;
    for (const hub of this.hubs.values()) for (const log of hub.partitions) bytes += log.segmentBytes;
    return bytes;
  }

  close(): void {
    for (const hub of this.hubs.values()) for (const log of hub.partitions) log.close();
  }
}
