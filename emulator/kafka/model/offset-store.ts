/**
 * Committed offsets per Kafka consumer group, topic and partition. An offset is the next record to consume; any
 * INT64 is stored verbatim, since kafkajs commits the -1/-2 sentinels in admin setOffsets / resetOffsets.
 */
export interface CommittedOffset {
  offset: number;
  metadata: string | null;
  commitTimestamp: number;
}

export interface OffsetCommitRecord extends CommittedOffset {
  group: string;
  topic: string;
  partition: number;
}

/** Where durable mode keeps commits; absent in memory mode. */
export interface OffsetPersistence {
  commit(record: OffsetCommitRecord): void;
  deleteGroup(group: string): void;
}

export class OffsetStore {
  private readonly groups = new Map<string, Map<string, Map<number, CommittedOffset>>>();
  persistence: OffsetPersistence | undefined;

  commit(record: OffsetCommitRecord, persist = true): void {
    let topics = this.groups.get(record.group);
    if (!topics) this.groups.set(record.group, (topics = new Map()));
    let partitions = topics.get(record.topic);
    if (!partitions) topics.set(record.topic, (partitions = new Map()));
    partitions.set(record.partition, { offset: record.offset, metadata: record.metadata, commitTimestamp: record.commitTimestamp });
    if (persist) this.persistence?.commit(record);
  }

  get(group: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.groups.get(group)?.get(topic)?.get(partition);
  }

  /** Every committed (topic, partition) of a group, for OffsetFetch with a null topic list. */
  topicsOf(group: string): Map<string, Map<number, CommittedOffset>> {
    return this.groups.get(group) ?? new Map();
  }

  hasGroup(group: string): boolean {
    return this.groups.has(group);
  }

  groupIds(): string[] {
    return [...this.groups.keys()];
  }

  deleteGroup(group: string, persist = true): void {
    this.groups.delete(group);
    if (persist) this.persistence?.deleteGroup(group);
  }
}
