/**
 * kafkajs clients for the host's Kafka triggers and outputs: one Kafka instance and one connected producer per
 * connection (brokers + credentials), created on first use and closed with the host, so an output binding costs a
 * produce request and not a new connection per invocation.
 */
import { Kafka, logLevel, type LogEntry, type Producer } from "kafkajs";
import type { Logger } from "../common/logger.js";
import { kafkaClientConfig, METADATA_MAX_AGE_MS, type KafkaConnection } from "./kafka-connection.js";

export class KafkaClients {
  private readonly clients = new Map<string, Kafka>();
  private readonly producers = new Map<string, Promise<Producer>>();

  constructor(private readonly logger: Logger) {}

  client(connection: KafkaConnection): Kafka {
    let client = this.clients.get(connection.key);
    if (!client) {
      const logger = this.logger;
      client = new Kafka({
        ...kafkaClientConfig(connection, "functions-host"),
        logLevel: logLevel.WARN,
        // kafkajs errors become host warnings; its warnings (rebalances, retries) are debug detail.
        logCreator:
          () =>
          ({ level, log }: LogEntry) => {
            const { message, ...fields } = log;
            if (level <= logLevel.ERROR) logger.warn(`kafkajs: ${message}`, fields);
            else logger.debug(`kafkajs: ${message}`, fields);
          },
      });
      this.clients.set(connection.key, client);
    }
    return client;
  }

  /** The connection's shared producer, connected once; a failed connect is retried by the next call. */
  producer(connection: KafkaConnection): Promise<Producer> {
    let producer = this.producers.get(connection.key);
    if (!producer) {
      const p = this.client(connection).producer({ allowAutoTopicCreation: false, metadataMaxAge: METADATA_MAX_AGE_MS });
      producer = p.connect().then(
        () => p,
        (err: unknown) => {
          this.producers.delete(connection.key);
          throw err;
        },
      );
      this.producers.set(connection.key, producer);
    }
    return producer;
  }

  async close(): Promise<void> {
    const producers = [...this.producers.values()];
    this.producers.clear();
    await Promise.allSettled(producers.map(async (p) => (await p).disconnect()));
  }
}
