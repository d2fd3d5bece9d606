/**
 * Runtime counts of queues, topics and subscriptions, as the administration API reports them (CountDetails,
 * MessageCount, SizeInBytes). Deferred and locked messages count as active, as in Azure.
 * One pass over each store: fine for an emulator's admin calls, never on the message path.
 */
import type { MessageStore } from "./message-store.js";
import type { Queue } from "./queue.js";
import type { Subscription } from "./subscription.js";
import type { Topic } from "./topic.js";

export interface StoreCounts {
  active: number;
  deferred: number;
  scheduled: number;
  sizeInBytes: number;
}

export interface EntityCounts {
  active: number;
  deadLetter: number;
  scheduled: number;
  transfer: number;
  transferDeadLetter: number;
  /** Every message the entity holds, dead letters included (Azure's MessageCount). */
  total: number;
  sizeInBytes: number;
}

export function countStore(store: MessageStore): StoreCounts {
  const counts: StoreCounts = { active: 0, deferred: 0, scheduled: 0, sizeInBytes: 0 };
  for (const record of store.peek(0, Number.POSITIVE_INFINITY)) {
    if (record.state === "scheduled") counts.scheduled++;
    else if (record.state === "deferred") counts.deferred++;
    else counts.active++;
    counts.sizeInBytes += record.payload.size;
  }
  return counts;
}

/** Counts of a queue or subscription (main store, dead letters, transfer dead letters). */
export function countEntity(entity: Queue | Subscription): EntityCounts {
  const main = countStore(entity.store);
  const dead = countStore(entity.deadLetters);
  const transferDead = countStore(entity.transferDeadLetters);
  const active = main.active + main.deferred;
  const deadLetter = dead.active + dead.deferred + dead.scheduled;
  const transferDeadLetter = transferDead.active + transferDead.deferred + transferDead.scheduled;
  return {
    active,
    deadLetter,
    scheduled: main.scheduled,
    transfer: 0,
    transferDeadLetter,
    total: active + main.scheduled + deadLetter + transferDeadLetter,
    sizeInBytes: main.sizeInBytes + dead.sizeInBytes + transferDead.sizeInBytes,
  };
}

/** A topic holds only its scheduled messages itself; everything else lives in its subscriptions. */
export function countTopic(topic: Topic): EntityCounts {
  const held = (topic as { scheduled?: MessageStore }).scheduled;
  const own = held ? countStore(held) : { active: 0, deferred: 0, scheduled: 0, sizeInBytes: 0 };
  let sizeInBytes = own.sizeInBytes;
  for (const subscription of topic.subscriptions.values()) sizeInBytes += countEntity(subscription).sizeInBytes;
  return { active: 0, deadLetter: 0, scheduled: own.scheduled, transfer: 0, transferDeadLetter: 0, total: own.scheduled, sizeInBytes };
}
