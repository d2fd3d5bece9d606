/**
 * startKafka(): the Event Hubs Kafka endpoint. Event hubs from the Event Hubs emulator config become topics with
 * fixed partition counts; clients authenticate with SASL PLAIN, user `$ConnectionString` and an Event Hubs
 * connection string; consumer groups, retention and (with a data dir) durable logs and offsets run on the
 * emulator's clock.
 */
import type { RecordObservers } from "./model/record-observer.js";
import { describeKafka, type KafkaView } from "./kafka-view.js";
import type { TlsOptions } from "node:tls";
import type { EmulatorClock, TimerHandle } from "../common/clock.js";
import type { Logger } from "../common/logger.js";
import type { EventHubsConfig } from "./config.js";
import { defaultKafkaLimits, type KafkaConnectionLimits } from "./connection-limits.js";
import { type DurableStore, openDurableStore } from "./model/durable-store.js";
import { EventHubNamespace } from "./model/event-hub-namespace.js";
import { TmpfsSegments } from "./model/tmpfs-segments.js";
import { eventHubsGroupLimits, GroupCoordinator, type GroupLimits } from "./model/group-coordinator.js";
import { ProducerIdAllocator } from "./model/producer-state.js";
import { advertisedApis } from "./protocol/index.js";
import type { BrokerState } from "./protocol/types.js";
import { Codec } from "./record-batch.js";
import { defaultPolicies, EMULATOR_KEY, EMULATOR_KEY_NAME, type SasPolicy } from "./sasl.js";
import { KafkaServer } from "./server.js";

export { EMULATOR_KEY, EMULATOR_KEY_NAME, SASL_USERNAME } from "./sasl.js";
export type { KafkaView } from "./kafka-view.js";
export { loadEventHubsConfig, parseEventHubsConfig, type EventHubsConfig } from "./config.js";

/** Event Hubs closes a connection whose request exceeds this many bytes (max.request.size must stay below it). */
export const MAX_REQUEST_BYTES = 1_046_528;
/** Event Hubs' largest event or batch of events (Standard tier), 1 MB. */
export const MAX_EVENT_BYTES = 1_048_576;
/** In "error" mode, the largest frame read before the connection is closed anyway. */
const HARD_FRAME_LIMIT = 64 * 1024 * 1024;
const RETENTION_SWEEP_MS = 60_000;

export interface KafkaOptions {
  config: EventHubsConfig;
  /** 0 picks a free port. */
  port: number;
  host: string;
  clock: EmulatorClock;
  logger: Logger;
  /** Durable mode: partition logs and committed offsets under `${dataDir}/kafka/`. */
  dataDir?: string;
  /** Serve SASL_SSL (Azure's 9093 behaviour): on `tlsPort` beside the plain listener, or instead of it without one. */
  tls?: TlsOptions;
  /** With `tls`, the port of a SASL_SSL listener served beside SASL_PLAINTEXT on `port` (0 picks a free port). */
  tlsPort?: number;
  /** Shared access policies accepted in connection strings; default the emulator's RootManageSharedAccessKey. */
  policies?: SasPolicy[];
  /** What an oversized request gets: "close" (Event Hubs closes the connection) or "error" (MESSAGE_TOO_LARGE per batch). */
  oversizeRequest?: "close" | "error";
  /** false refuses gzip too (Event Hubs Standard tier before compression support). */
  allowGzip?: boolean;
  groupLimits?: Partial<GroupLimits>;
  /** Host name put in Metadata answers; default localhost for loopback and wildcard binds. */
  advertisedHost?: string;
  /** Where memory mode keeps batch bytes: "tmpfs" (default where /dev/shm exists) or "heap". */
  batchMemory?: "tmpfs" | "heap";
  /** Per-connection deadlines and buffers; Event Hubs' and Kafka's figures by default (connection-limits.ts). */
  limits?: Partial<KafkaConnectionLimits>;
}

export interface KafkaService {
  readonly port: number;
  /** `host:port` for the client's `brokers` setting. */
  readonly bootstrapServers: string;
  /** The SASL_SSL listener's port and `host:port`, when one is served beside the plain one. */
  readonly tlsPort?: number;
  readonly tlsBootstrapServers?: string;
  /** The SASL PLAIN password (user name `$ConnectionString`). */
  readonly connectionString: string;
  /** Who is told of appends and commits (the dashboard sets it). */
  readonly observers: RecordObservers;
  /** Event hubs with their partitions' offsets, and consumer groups with members and committed offsets. */
  describe(): KafkaView;
  /** Bytes of stored batches kept in tmpfs, which the process's resident set does not show. */
  segmentBytes(): number;
  close(): Promise<void>;
}

export function kafkaConnectionString(host: string, port: number, keyName = EMULATOR_KEY_NAME, key = EMULATOR_KEY): string {
  return `Endpoint=sb://${host}:${port};SharedAccessKeyName=${keyName};SharedAccessKey=${key};UseDevelopmentEmulator=true;`;
}

function displayHost(host: string): string {
  return ["127.0.0.1", "0.0.0.0", "::", "::1", "localhost", ""].includes(host) ? "localhost" : host;
}

export async function startKafka(opts: KafkaOptions): Promise<KafkaService> {
  const logger = opts.logger;
  // Durable mode keeps its batches in the heap beside its own files.
  const tmpfs = !opts.dataDir && (opts.batchMemory ?? "tmpfs") === "tmpfs" && TmpfsSegments.available();
  const namespace = new EventHubNamespace(opts.config, { tmpfs });
  const groups = new GroupCoordinator(opts.clock, logger, { ...eventHubsGroupLimits, ...opts.groupLimits });
  const advertisedHost = opts.advertisedHost ?? displayHost(opts.host);
  const settings = {
    policies: opts.policies ?? defaultPolicies,
    advertisedHost,
    clusterId: namespace.name,
    maxBatchBytes: MAX_EVENT_BYTES,
    allowedCodecs: opts.allowGzip === false ? [Codec.none] : [Codec.none, Codec.gzip],
  };
  const broker: BrokerState = {
    namespace,
    groups,
    producerIds: new ProducerIdAllocator(opts.clock.now()),
    observers: groups.observers,
    clock: opts.clock,
    logger,
    settings,
    apis: advertisedApis,
    expire: () => {
      const removed = namespace.expire(opts.clock.now());
      if (removed > 0) logger.debug("retention deleted batches", { batches: removed });
    },
  };

  let durable: DurableStore | undefined;
  if (opts.dataDir) durable = openDurableStore(opts.dataDir, namespace, groups.offsets, logger);

  // Repeating, not re-armed by hand: a clock moved a century ahead sweeps twice, not once per minute skipped.
  const sweep: TimerHandle | undefined = opts.clock.setRepeating(RETENTION_SWEEP_MS, () => broker.expire());

  const maxFrame = opts.oversizeRequest === "error" ? HARD_FRAME_LIMIT : MAX_REQUEST_BYTES;
  const beside = opts.tls !== undefined && opts.tlsPort !== undefined;
  const limits = { ...defaultKafkaLimits, ...opts.limits };
  const server = new KafkaServer(broker, maxFrame, limits, beside ? undefined : opts.tls);
  const tlsServer = beside ? new KafkaServer(broker, maxFrame, limits, opts.tls) : undefined;
  let port: number;
  let tlsPort: number | undefined;
  try {
    port = await server.listen(opts.port, opts.host);
    if (tlsServer) tlsPort = await tlsServer.listen(opts.tlsPort!, opts.host);
  } catch (err) {
    sweep?.cancel();
    durable?.close();
    await server.close();
    throw err;
  }
  const policy = settings.policies[0];
  const eventHubs = namespace.all().map((h) => h.name);
  logger.info("Kafka endpoint listening", { port, tls: Boolean(opts.tls) && !beside, tlsPort, eventHubs });

  return {
    port,
    bootstrapServers: `${advertisedHost}:${port}`,
    tlsPort,
    tlsBootstrapServers: tlsPort === undefined ? undefined : `${advertisedHost}:${tlsPort}`,
    connectionString: kafkaConnectionString(advertisedHost, port, policy?.keyName, policy?.key),
    segmentBytes: () => namespace.segmentBytes(),
    observers: groups.observers,
    describe: () => describeKafka(namespace, groups),
    async close() {
      sweep?.cancel();
      groups.close();
      await server.close();
      await tlsServer?.close();
      durable?.close();
      namespace.close();
    },
  };
}
