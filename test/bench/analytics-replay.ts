/**
 * Analytics replay speed (issue 8): how fast the analytics consumer (src/analytics/analytics-consumer.ts, start
 * position earliest, a fresh group) reads `festival-events` from the beginning and folds it into the sales-per-minute
 * read model, here on the in-memory RowStore so the figure is the stream and the fold, not Table Storage.
 * The emulator's Kafka endpoint runs in a child process (this file, forked with REPLAY_BENCH_SERVER=1, serving the
 * emulator's own eventhubs.json: festival-events with 4 partitions), so it does not share the bench's event loop.
 * 100,000 records are produced first with the relay's producer (KafkaEventStream: key = stream id, value = the
 * CloudEvent JSON, the relay's headers): PurchaseCompleted over 40 concerts and many minutes, every 20th purchase
 * cancelled afterwards, every 20th preceded by its PurchasePlaced (on the stream, no sale).
 * Baseline, same run, same records, same fetch settings: a bare kafkajs group member (fresh group, fromBeginning)
 * that only touches each record's value. Both clocks start before the consumer connects (joining the group counted,
 * as a replay pays it) and stop when the 100,000th record has been handled. One uncounted warm-up of each, then
 * alternating rounds; medians. No target: the issue asks for the figure.
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Kafka } from "kafkajs";
import { appEventHubsConfigFile } from "../../topology/files.js";
import { EmulatorClock } from "../../emulator/common/clock.js";
import { createLogger } from "../../emulator/common/logger.js";
import { loadEventHubsConfig, startKafka } from "../../emulator/kafka/index.js";
import { AnalyticsConsumer, FETCH_MAX_BYTES, FETCH_MAX_BYTES_PER_PARTITION } from "../../src/analytics/analytics-consumer.js";
import { SalesPerMinuteWriter } from "../../src/analytics/sales-per-minute-writer.js";
import { eventHubsConnection, topology } from "../../src/config.js";
import { createMessage, messageNameOf } from "../../src/events/catalog.js";
import type { CloudEvent } from "../../src/events/envelope.js";
import { createKafka, KafkaEventStream, type StreamEvent } from "../../src/messaging/kafka-event-stream.js";
import { InMemoryRowStore } from "../../src/projections/row-store.js";
import { type BenchRow, type BenchSuite, percentOf, percentile } from "./harness.js";
import { onceMessage } from "./kafka-end-to-end.js";

const suite = "replay";
const EVENTS = 100_000;
const CONCERTS = 40;
const ROUNDS = 3;
/** Events per publish call (the stream splits each into requests under 900 KB), a few calls in flight. */
const PUBLISH_SLICE = 2_000;
const PUBLISH_IN_FLIGHT = 4;
const MAX_WAIT_MS = 100;
const TOPIC = topology.eventHub;
const CHILD_FLAG = "REPLAY_BENCH_SERVER";

const log = (text: string) => process.stderr.write(`  replay: ${text}\n`);
const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);

/** The child: the emulator's Kafka endpoint with its own config, until told to close. */
async function serve(): Promise<void> {
  const server = await startKafka({ config: loadEventHubsConfig(appEventHubsConfigFile), port: 0, host: "127.0.0.1", clock: new EmulatorClock(), logger: createLogger("silent") });
  process.on("message", (command: { type: string }) => {
    if (command.type === "close") void server.close().finally(() => process.exit(0));
  });
  process.on("disconnect", () => process.exit(0));
  process.send?.({ type: "ready", connectionString: server.connectionString });
}

async function startServer(): Promise<{ connectionString: string; close(): Promise<void> }> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, [CHILD_FLAG]: "1" },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const ready = await onceMessage<{ connectionString: string }>(child, "ready");
  return {
    connectionString: ready.connectionString,
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.send({ type: "close" });
      await exited;
    },
  };
}

/** Exactly `EVENTS` stream events, deterministic, in each purchase's stream order. */
function streamEvents(): StreamEvent[] {
  const out: StreamEvent[] = [];
  const start = Date.parse("2026-07-01T18:00:00Z");
  const push = (event: CloudEvent) => out.push({ key: event.subject!, event });
  for (let i = 0; out.length < EVENTS; i++) {
    const purchaseId = `bench-${i}`;
    const streamId = `purchase-${purchaseId}`;
    const concertId = `concert-${i % CONCERTS}`;
    const tier = i % 4 === 0 ? ("vip" as const) : ("standard" as const);
    const quantity = (i % 4) + 1;
    const totalCents = quantity * (tier === "vip" ? 25_000 : 8_000);
    const fan = { id: `fan-${i % 1_000}`, email: `fan${i % 1_000}@example.com` };
    const at = new Date(start + i * 250).toISOString();
    const options = (version: number) => ({ id: `${streamId}:${version}`, subject: streamId, correlationId: `corr-${purchaseId}` });
    if (i % 20 === 10) {
      push(createMessage("PurchasePlaced", { purchaseId, concertId, fan, tier, quantity, unitPriceCents: totalCents / quantity, totalCents, placedAt: at }, options(1)));
      if (out.length >= EVENTS) break;
    }
    push(createMessage("PurchaseCompleted", { purchaseId, concertId, fan, tier, quantity, ticketIds: Array.from({ length: quantity }, (_, t) => `${purchaseId}-${t}`), totalCents, paymentId: `pay-${purchaseId}`, completedAt: at }, options(3)));
    if (i % 20 === 0 && out.length < EVENTS) {
      push(createMessage("PurchaseCancelled", { purchaseId, concertId, fan, tier, quantity, reason: "tickets-unavailable", refunded: true, cancelledAt: new Date(start + i * 250 + 90_000).toISOString() }, options(4)));
    }
  }
  return out;
}

async function produce(kafka: Kafka, events: StreamEvent[]): Promise<number> {
  const stream = new KafkaEventStream(kafka, TOPIC);
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < events.length) {
      const slice = events.slice(next, next + PUBLISH_SLICE);
      next += PUBLISH_SLICE;
      await stream.publish(slice);
    }
  };
  await Promise.all(Array.from({ length: PUBLISH_IN_FLIGHT }, worker));
  const seconds = (performance.now() - started) / 1000;
  await stream.close();
  return events.length / seconds;
}

interface Run {
  perSecond: number;
  joinMs: number;
}

/** The analytics consumer from the earliest offsets, fresh group, fresh in-memory read model. */
async function replayRun(kafka: Kafka, groupId: string): Promise<Run & { counted: number; rows: number }> {
  const rows = new InMemoryRowStore("salesperminute");
  const consumer = new AnalyticsConsumer({ kafka, writer: new SalesPerMinuteWriter(rows), groupId, topic: TOPIC, startPosition: "earliest", maxWaitTimeInMs: MAX_WAIT_MS });
  const started = performance.now();
  await consumer.start();
  const joinMs = performance.now() - started;
  await new Promise<void>((resolve, reject) => {
    const deadline = started + 60_000;
    const timer = setInterval(() => {
      if (consumer.stats.records >= EVENTS) {
        clearInterval(timer);
        resolve();
      } else if (performance.now() > deadline) {
        clearInterval(timer);
        reject(new Error(`analytics replay: ${consumer.stats.records} of ${EVENTS} records after 60 s`));
      }
    }, 2);
  });
  const seconds = (performance.now() - started) / 1000;
  await consumer.stop();
  if (consumer.stats.invalid > 0) throw new Error(`analytics replay: ${consumer.stats.invalid} records invalid`);
  let stored = 0;
  for await (const row of rows.listAll()) if (row) stored++;
  return { perSecond: consumer.stats.records / seconds, joinMs, counted: consumer.stats.counted, rows: stored };
}

/** A bare kafkajs group member with the analytics consumer's fetch settings, reading each record's value. */
async function bareRun(kafka: Kafka, groupId: string): Promise<Run & { bytes: number }> {
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxBytes: FETCH_MAX_BYTES, maxBytesPerPartition: FETCH_MAX_BYTES_PER_PARTITION, maxWaitTimeInMs: MAX_WAIT_MS });
  let received = 0;
  let bytes = 0;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  let joinedAt = 0;
  consumer.on(consumer.events.GROUP_JOIN, () => (joinedAt ||= performance.now()));
  const started = performance.now();
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: 4,
    eachBatch: async ({ batch }) => {
      for (const message of batch.messages) bytes += message.value?.length ?? 0;
      received += batch.messages.length;
      if (received >= EVENTS) finish();
    },
  });
  await done;
  const seconds = (performance.now() - started) / 1000;
  await consumer.disconnect();
  return { perSecond: received / seconds, joinMs: joinedAt - started, bytes };
}

export const analyticsReplaySuite: BenchSuite = {
  name: suite,
  async run(): Promise<BenchRow[]> {
    const server = await startServer();
    const replay: Run[] = [];
    const bare: Run[] = [];
    let produced: number;
    let averageBytes: number;
    try {
      const kafka = createKafka(eventHubsConnection({ EventHubsConnection: server.connectionString })!, "bench-replay");
      const events = streamEvents();
      const counts = new Map<string, number>();
      for (const { event } of events) counts.set(messageNameOf(event.type) ?? event.type, (counts.get(messageNameOf(event.type) ?? event.type) ?? 0) + 1);
      produced = await produce(kafka, events);
      log(`produced ${events.length.toLocaleString("en-US")} records at ${Math.round(produced)}/s (${[...counts].map(([t, n]) => `${t} ${n}`).join(", ")})`);
      const warmReplay = await replayRun(kafka, "replay-warm-up");
      const warmBare = await bareRun(kafka, "bare-warm-up");
      averageBytes = warmBare.bytes / EVENTS;
      log(`warm-up: analytics ${Math.round(warmReplay.perSecond)}/s (${warmReplay.counted} sales counted, ${warmReplay.rows} rows), bare ${Math.round(warmBare.perSecond)}/s; ${Math.round(averageBytes)} bytes per value`);
      for (let i = 0; i < ROUNDS; i++) {
        const runReplay = async () => replay.push(await replayRun(kafka, `replay-${i}`));
        const runBare = async () => bare.push(await bareRun(kafka, `bare-${i}`));
        if (i % 2 === 0) await runReplay().then(runBare);
        else await runBare().then(runReplay);
        log(`round ${i + 1}: analytics ${Math.round(replay[i].perSecond)}/s (join ${Math.round(replay[i].joinMs)} ms), bare ${Math.round(bare[i].perSecond)}/s (join ${Math.round(bare[i].joinMs)} ms)`);
      }
    } finally {
      await server.close();
    }
    const value = median(replay.map((r) => r.perSecond));
    const baseline = median(bare.map((r) => r.perSecond));
    log(`analytics replay at ${percentOf(value, baseline)}% of the bare consumer`);
    const shape = `${EVENTS.toLocaleString("en-US")} CloudEvents (~${Math.round(averageBytes)} B, mostly PurchaseCompleted, ${CONCERTS} concerts) on festival-events (4 partitions), fresh group from the beginning, joining included`;
    return [
      {
        suite,
        name: `analytics consumer replay (earliest), folding into an in-memory sales-per-minute read model, commit per batch: ${shape}`,
        value,
        unit: "events/s",
        baseline: { name: "bare kafkajs consumer reading each value, same fetch settings", value: baseline },
      },
      {
        suite,
        name: `bare kafkajs consumer reading each record's value (baseline of the row above): ${shape}`,
        value: baseline,
        unit: "events/s",
      },
    ];
  },
};

if (process.env[CHILD_FLAG] === "1") {
  serve().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
