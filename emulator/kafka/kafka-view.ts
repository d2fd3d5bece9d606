/**
 * The Kafka endpoint's state as plain JSON for the dashboard: each event hub's partitions (first and next offset),
 * and each consumer group with its state, its members (and the partitions assigned to each, read from the consumer
 * protocol's assignment bytes) and, per partition it committed, the committed offset and the lag behind the log end.
 */
import { Reader } from "./codec/reader.js";
import type { EventHubNamespace } from "./model/event-hub-namespace.js";
import type { GroupCoordinator } from "./model/group-coordinator.js";

type Assigned = { topic: string; partitions: number[] };

export interface KafkaView {
  namespace: string;
  eventHubs: { name: string; partitions: { partition: number; logStartOffset: number; highWatermark: number }[] }[];
  groups: {
    groupId: string;
    state: string;
    members: { memberId: string; clientId: string; clientHost: string; assigned: Assigned[] }[];
    offsets: { topic: string; partition: number; committed: number; highWatermark: number; lag: number }[];
  }[];
}

/** ConsumerProtocolAssignment: version, [topic, [partition]], user data. Empty or unreadable bytes assign nothing. */
function assignedPartitions(bytes: Buffer): Assigned[] {
  if (bytes.length < 2) return [];
  try {
    const r = new Reader(bytes);
    r.int16();
    return r.array((t) => ({ topic: t.string(), partitions: t.array((p) => p.int32()) }));
  } catch {
    return [];
  }
}

export function describeKafka(namespace: EventHubNamespace, groups: GroupCoordinator): KafkaView {
  const end = (topic: string, partition: number) => namespace.hub(topic)?.partition(partition)?.highWatermark ?? 0;
  return {
    namespace: namespace.name,
    eventHubs: namespace.all().map((hub) => ({
      name: hub.name,
      partitions: hub.partitions.map((log) => ({
        partition: log.partition,
        logStartOffset: log.logStartOffset,
        highWatermark: log.highWatermark,
      })),
    })),
    groups: groups.describeAll().map(({ groupId, description }) => {
      const offsets: KafkaView["groups"][number]["offsets"] = [];
      for (const [topic, partitions] of groups.offsets.topicsOf(groupId)) {
        for (const [partition, committed] of partitions) {
          const highWatermark = end(topic, partition);
          // Negative offsets are kafkajs's reset sentinels, not positions: the lag is then the whole log.
          const lag = committed.offset < 0 ? highWatermark : Math.max(0, highWatermark - committed.offset);
          offsets.push({ topic, partition, committed: committed.offset, highWatermark, lag });
        }
      }
      return {
        groupId,
        state: description.state,
        members: description.members.map((m) => ({
          memberId: m.memberId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          assigned: assignedPartitions(m.assignment),
        })),
        offsets,
      };
    }),
  };
}
