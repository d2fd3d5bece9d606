/**
 * The analytics consumer: reads `festival-events` in consumer group `analytics` with kafkajs and keeps the
 * sales-per-minute read model. Configured as Event Hubs wants a Kafka client (src/config.ts `EventHubsConnection`:
 * SASL PLAIN `$ConnectionString` with the emulator or a connection string, OAUTHBEARER with an identity in Azure;
 * no topic auto-creation; fetches under the 1 MB request limit; 30 s session, 3 s heartbeats).
 *
 * Start positions, applied to the partitions of the first assignment (later rebalances follow the committed offsets):
 *   earliest   from the beginning of each partition, whatever the group committed (a rebuild, a replay);
 *   latest     only events produced after the start;
 *   committed  where the group left off, from the beginning when it never committed (the normal restart).
 * Offsets are committed after each batch is written, so a crash replays at most the batch in hand, which the read
 * model's marks make harmless (at least once in, exactly once in effect).
 */
import { type Admin, type Consumer, type EachBatchPayload, type Kafka } from "kafkajs";
import { topology } from "../config.js";
import type { SalesEvent } from "./sales-per-minute.js";
import { waitUntilCaughtUp } from "./group-lag.js";
import { salesEventOf } from "./sales-events.js";
import type { SalesPerMinuteWriter } from "./sales-per-minute-writer.js";

export type StartPosition = "earliest" | "latest" | "committed";
export const START_POSITIONS: readonly StartPosition[] = ["earliest", "latest", "committed"];
export const ANALYTICS_GROUP = "analytics";

/** Event Hubs answers fetches of up to 1 MB; stay under it, per partition and per request. */
export const FETCH_MAX_BYTES = 900_000;
export const FETCH_MAX_BYTES_PER_PARTITION = 512 * 1024;

export interface AnalyticsConsumerOptions {
  kafka: Kafka;
  writer: SalesPerMinuteWriter;
  groupId?: string;
  topic?: string;
  startPosition?: StartPosition;
  /** How long a fetch waits for records on the broker (short: the consumer stops quickly). */
  maxWaitTimeInMs?: number;
  log?: (level: "info" | "warn", message: string, fields?: Record<string, unknown>) => void;
}

export interface AnalyticsStats {
  /** Records read from the stream (every event type). */
  records: number;
  /** Sales events that changed the read model. */
  counted: number;
  /** Sales events already counted (redelivered, replayed). */
  duplicates: number;
  /** Records that are not sales events, or cancellations of purchases that never completed. */
  ignored: number;
  /** Records that are not CloudEvents of the catalog: logged and passed over. */
  invalid: number;
}

export class AnalyticsConsumer {
  readonly groupId: string;
  readonly topic: string;
  readonly startPosition: StartPosition;
  readonly stats: AnalyticsStats = { records: 0, counted: 0, duplicates: 0, ignored: 0, invalid: 0 };
  private readonly admin: Admin;
  private consumer: Consumer | undefined;

  constructor(private readonly options: AnalyticsConsumerOptions) {
    this.groupId = options.groupId ?? ANALYTICS_GROUP;
    this.topic = options.topic ?? topology.eventHub;
    this.startPosition = options.startPosition ?? "committed";
    if (!START_POSITIONS.includes(this.startPosition)) throw new Error(`start position "${String(this.startPosition)}" is not one of ${START_POSITIONS.join(", ")}`);
    this.admin = options.kafka.admin();
  }

  /** Joins the group and positions it; resolves once the first assignment is known. */
  async start(): Promise<void> {
    if (this.consumer) throw new Error("the analytics consumer is already started");
    await this.admin.connect();
    // The positions are read before joining: "latest" means the end of each partition at the start.
    const targets = this.startPosition === "committed" ? undefined : await this.startOffsets(this.startPosition);
    const consumer = this.options.kafka.consumer({
      groupId: this.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxBytes: FETCH_MAX_BYTES,
      maxBytesPerPartition: FETCH_MAX_BYTES_PER_PARTITION,
      maxWaitTimeInMs: this.options.maxWaitTimeInMs ?? 500,
      // Event Hubs closes idle connections after 240 s; refresh metadata before that.
      metadataMaxAge: 180_000,
    });
    this.consumer = consumer;
    const joined = new Promise<void>((resolve) => {
      let first = true;
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        if (!first) return;
        first = false;
        // Seeks made here apply before the first fetch (kafkajs emits GROUP_JOIN inside the join, then fetches).
        for (const partition of payload.memberAssignment[this.topic] ?? []) {
          const offset = targets?.get(partition);
          if (offset !== undefined) consumer.seek({ topic: this.topic, partition, offset });
        }
        resolve();
      });
    });
    await consumer.connect();
    await consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: true,
      autoCommitThreshold: 1,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 4,
      eachBatch: (payload) => this.onBatch(payload),
    });
    await joined;
    this.options.log?.("info", "analytics consumer started", { groupId: this.groupId, topic: this.topic, startPosition: this.startPosition });
  }

  /** Resolves once the group's committed offsets reach the end of every partition as it is now. */
  waitUntilCaughtUp(timeoutMs = 30_000): Promise<void> {
    return waitUntilCaughtUp(this.admin, this.groupId, this.topic, timeoutMs);
  }

  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    await Promise.allSettled([consumer?.disconnect(), this.admin.disconnect()]);
  }

  private async startOffsets(position: "earliest" | "latest"): Promise<Map<number, string>> {
    const offsets = await this.admin.fetchTopicOffsets(this.topic);
    return new Map(offsets.map((o) => [o.partition, position === "earliest" ? o.low : o.high]));
  }

  private async onBatch({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (!isRunning() || isStale() || batch.messages.length === 0) return;
    const events: SalesEvent[] = [];
    let passedOver = 0;
    let invalid = 0;
    for (const message of batch.messages) {
      try {
        const e = salesEventOf(message.value);
        if (e) events.push(e);
        else passedOver++;
      } catch (err) {
        // A record no one can read must not stop the stream behind it.
        invalid++;
        this.options.log?.("warn", "record passed over: not an event of the catalog", { partition: batch.partition, offset: message.offset, error: (err as Error).message });
      }
    }
    const applied = await this.options.writer.apply(events);
    this.stats.records += batch.messages.length;
    this.stats.counted += applied.counted;
    this.stats.duplicates += applied.duplicates;
    this.stats.ignored += applied.ignored + passedOver;
    this.stats.invalid += invalid;
    resolveOffset(batch.lastOffset());
    await commitOffsetsIfNecessary();
    await heartbeat();
  }
}
