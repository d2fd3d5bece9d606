/**
 * How far a consumer group is behind a topic: its committed offsets against the end of each partition. Used to
 * know when a replay is done, and by tests to know a consumer (the standalone one or the kafkaTrigger's) has handled
 * everything produced so far.
 */
import type { Admin } from "kafkajs";

/** Partitions whose committed offset is behind the given ends (an empty partition is never behind). */
export async function partitionsBehind(admin: Admin, groupId: string, topic: string, ends: { partition: number; low: string; high: string }[]): Promise<number[]> {
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const at = new Map(committed.partitions.map((p) => [p.partition, Number(p.offset)]));
  return ends.filter((e) => Number(e.high) > Number(e.low) && (at.get(e.partition) ?? -1) < Number(e.high)).map((e) => e.partition);
}

/** Resolves once the group's committed offsets reach the end of every partition as it is now. */
export async function waitUntilCaughtUp(admin: Admin, groupId: string, topic: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const ends = await admin.fetchTopicOffsets(topic);
  for (;;) {
    const behind = await partitionsBehind(admin, groupId, topic, ends);
    if (behind.length === 0) return;
    if (Date.now() > deadline) throw new Error(`consumer group ${groupId} still behind on ${topic} partitions ${behind.join(", ")} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
