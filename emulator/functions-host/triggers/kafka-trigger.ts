/**
 * Kafka triggers (`app.generic` with `type: "kafkaTrigger"`), run as the Kafka extension runs them: one kafkajs
 * consumer per function in the function's consumer group (`consumerGroup`, default `$Default`), starting from the
 * earliest offset when the group has none (host.json `extensions.kafka.autoOffsetReset`). Records of a partition
 * are handed over in order, one per invocation or, with `cardinality: "many"`, in batches of up to maxBatchSize
 * (host.json, default 64); the offset is committed after each invocation, whether it succeeded or not (a failed
 * record is not retried unless the function has a `retry` policy), so the trigger delivers at least once.
 */
import type { Consumer, EachBatchPayload } from "kafkajs";
import type { Clock, TimerHandle } from "../../common/clock.js";
import type { Logger } from "../../common/logger.js";
import type { HostedFunction } from "../function-registry.js";
import { resolveSettingReferences } from "../host-settings.js";
import type { Invoker } from "../invoker.js";
import type { KafkaClients } from "../kafka-clients.js";
import { kafkaConnection, METADATA_MAX_AGE_MS, type KafkaConnection } from "../kafka-connection.js";
import { retryDelayMs } from "./timer-trigger.js";
import { batchData, batchMetadata, headerText, keyDataTypeOf, recordData, recordMetadata, type KafkaDataOptions, type KafkaRecord } from "./kafka-event.js";

export interface KafkaHostOptions {
  maxBatchSize: number;
  fromBeginning: boolean;
}

export function kafkaHostOptions(section: Record<string, unknown> | undefined): KafkaHostOptions {
  const s = section ?? {};
  const size = s.maxBatchSize ?? 64;
  if (typeof size !== "number" || !Number.isInteger(size) || size < 1) throw new Error(`host.json extensions.kafka.maxBatchSize must be an integer >= 1, got ${JSON.stringify(size)}.`);
  const reset = String(s.autoOffsetReset ?? "Earliest").toLowerCase();
  if (reset !== "earliest" && reset !== "latest") throw new Error(`host.json extensions.kafka.autoOffsetReset must be Earliest or Latest, got ${JSON.stringify(s.autoOffsetReset)}.`);
  return { maxBatchSize: size, fromBeginning: reset === "earliest" };
}

interface Listener {
  fn: HostedFunction;
  connection: KafkaConnection;
  topic: string;
  groupId: string;
  many: boolean;
  data: KafkaDataOptions;
}

const CORRELATION_HEADERS = ["x-correlation-id", "correlation-id", "correlationId"];

function correlationOf(records: KafkaRecord[]): string | undefined {
  const m = records[0]?.message;
  if (!m) return undefined;
  for (const h of CORRELATION_HEADERS) {
    const v = headerText(m, h);
    if (v) return v;
  }
  const traceparent = headerText(m, "traceparent");
  return traceparent?.split("-")[1];
}

export class KafkaTrigger {
  private readonly listeners: Listener[] = [];
  private readonly consumers: Consumer[] = [];
  // Retry waits, ended early when the host closes so no batch handler is left hanging.
  private readonly pending = new Map<TimerHandle, () => void>();
  private closed = false;

  constructor(
    functions: HostedFunction[],
    env: Record<string, string>,
    private readonly options: KafkaHostOptions,
    private readonly clients: KafkaClients,
    private readonly invoker: Invoker,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    for (const fn of functions) {
      if (fn.trigger.type.toLowerCase() !== "kafkatrigger" || fn.disabled) continue;
      const where = `Function "${fn.name}"`;
      const t = fn.trigger;
      const topic = typeof t.topic === "string" && t.topic.trim() !== "" ? resolveSettingReferences(t.topic, env, `${where} topic`) : undefined;
      if (!topic) throw new Error(`${where}: a Kafka trigger needs a topic.`);
      const groupId = typeof t.consumerGroup === "string" && t.consumerGroup.trim() !== "" ? resolveSettingReferences(t.consumerGroup, env, `${where} consumerGroup`) : "$Default";
      const dataType = String(t.dataType ?? "string").toLowerCase();
      if (!["string", "binary", ""].includes(dataType)) throw new Error(`${where}: dataType "${String(t.dataType)}" is not one of string, binary.`);
      this.listeners.push({
        fn,
        connection: kafkaConnection(t, env, where),
        topic,
        groupId,
        many: String(t.cardinality ?? "one").toLowerCase() === "many",
        data: { binary: dataType === "binary", keyDataType: keyDataTypeOf(t.keyDataType, where) },
      });
    }
  }

  /** Joins every consumer group; resolves once each consumer is running (its first join may still be under way). */
  async start(): Promise<void> {
    await Promise.all(this.listeners.map((l) => this.startListener(l)));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const [h, wake] of this.pending) {
      h.cancel();
      wake();
    }
    this.pending.clear();
    await Promise.allSettled(this.consumers.map((c) => c.disconnect()));
    this.consumers.length = 0;
  }

  private async startListener(l: Listener): Promise<void> {
    const consumer = this.clients.client(l.connection).consumer({
      groupId: l.groupId,
      allowAutoTopicCreation: false,
      // Event Hubs' recommendations; a short fetch wait so the host closes quickly (disconnect waits for a fetch).
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: 500,
      metadataMaxAge: METADATA_MAX_AGE_MS,
    });
    this.consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic: l.topic, fromBeginning: this.options.fromBeginning });
    await consumer.run({
      autoCommit: true,
      eachBatchAutoResolve: false,
      // Partitions run side by side, each in order, as the extension runs one executor per partition.
      partitionsConsumedConcurrently: 16,
      eachBatch: (payload) => this.onBatch(l, payload),
    });
    this.logger.info("Kafka trigger listening", { function: l.fn.name, topic: l.topic, consumerGroup: l.groupId, cardinality: l.many ? "many" : "one" });
  }

  private async onBatch(l: Listener, { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const records: KafkaRecord[] = batch.messages.map((message) => ({ topic: batch.topic, partition: batch.partition, message }));
    const size = l.many ? this.options.maxBatchSize : 1;
    for (let i = 0; i < records.length; i += size) {
      if (this.closed || !isRunning() || isStale()) return;
      const chunk = records.slice(i, i + size);
      await this.invokeWithRetry(l, chunk, 0);
      resolveOffset(chunk[chunk.length - 1].message.offset);
      await commitOffsetsIfNecessary();
      await heartbeat();
    }
  }

  private async invokeWithRetry(l: Listener, records: KafkaRecord[], retryCount: number): Promise<void> {
    const retry = l.fn.metadata.retryOptions;
    const maxRetryCount = Number(retry?.maxRetryCount ?? 0);
    const now = this.clock.now();
    try {
      await this.invoker.invoke(l.fn, {
        inputData: [{ name: l.fn.triggerName, data: l.many ? batchData(records, l.data) : recordData(records[0], l.data) }],
        triggerMetadata: l.many ? batchMetadata(l.fn.name, records, l.data, now) : recordMetadata(l.fn.name, records[0], l.data, now),
        retryContext: retry ? { retryCount, maxRetryCount } : null,
        correlationId: correlationOf(records),
      });
    } catch (err) {
      if (this.closed || !retry || (maxRetryCount !== -1 && retryCount >= maxRetryCount)) {
        this.logger.debug("Kafka-triggered invocation failed; its offset is committed", { function: l.fn.name, error: (err as Error).message });
        return;
      }
      await new Promise<void>((resolve) => {
        const h = this.clock.setTimer(retryDelayMs(retry, retryCount + 1), () => {
          this.pending.delete(h);
          resolve();
        });
        this.pending.set(h, resolve);
      });
      if (!this.closed) await this.invokeWithRetry(l, records, retryCount + 1);
    }
  }
}
