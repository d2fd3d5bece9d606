/** Starts the Kafka endpoint on a free port with its own clock, and makes kafkajs clients set up as for Event Hubs. */
import { Kafka, logLevel, type KafkaConfig } from "kafkajs";
import { EmulatorClock } from "../../../emulator/common/clock.js";
import { createLogger } from "../../../emulator/common/logger.js";
import { type KafkaOptions, type KafkaService, parseEventHubsConfig, startKafka } from "../../../emulator/kafka/index.js";

export interface KafkaTestEnv {
  clock: EmulatorClock;
  kafka: KafkaService;
  client(overrides?: Partial<KafkaConfig>): Kafka;
  close(): Promise<void>;
}

export function hubsConfig(hubs: { name: string; partitions: number; retentionHours?: number }[]): object {
  return {
    UserConfig: {
      NamespaceConfig: [
        {
          Type: "EventHub",
          Name: "emulatorNs1",
          Entities: hubs.map((h) => ({ Name: h.name, PartitionCount: h.partitions, ConsumerGroups: [], RetentionTimeInHours: h.retentionHours })),
        },
      ],
      LoggingConfig: { Type: "Console" },
    },
  };
}

export async function startKafkaEnv(
  hubs: { name: string; partitions: number; retentionHours?: number }[],
  options: Partial<Omit<KafkaOptions, "config" | "clock">> = {},
): Promise<KafkaTestEnv> {
  const clock = new EmulatorClock();
  const kafka = await startKafka({
    config: parseEventHubsConfig(hubsConfig(hubs)),
    port: 0,
    host: "127.0.0.1",
    clock,
    logger: createLogger(process.env.KAFKA_TEST_LOG === "1" ? "debug" : "silent"),
    ...options,
  });
  const clients: Kafka[] = [];
  return {
    clock,
    kafka,
    client(overrides = {}) {
      const k = new Kafka({
        clientId: "test",
        brokers: [kafka.bootstrapServers],
        ssl: false,
        sasl: { mechanism: "plain", username: "$ConnectionString", password: kafka.connectionString },
        logLevel: logLevel.NOTHING,
        retry: { retries: 2, initialRetryTime: 20, maxRetryTime: 100 },
        connectionTimeout: 2000,
        requestTimeout: 60_000,
        ...overrides,
      });
      clients.push(k);
      return k;
    },
    async close() {
      await kafka.close();
      clock.dispose();
    },
  };
}

/** Resolves when `check` holds, polling on real time; fails after `timeoutMs` with `what` in the message. */
export async function eventually(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
