/**
 * The real stack for the outbox tests: Azurite (the event store's table), the emulator with the system topology
 * (Service Bus topics events/commands, the Kafka event hub, the Event Grid topic, whose subscription is pointed at a
 * webhook of the test), and the write side's adapters built from settings as the app builds them.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { TableClient } from "@azure/data-tables";
import { ServiceBusClient } from "@azure/service-bus";
import { type Emulator, startEmulator } from "../../emulator/index.js";
import { appEventGridConfigFile, appTopology } from "../../topology/files.js";
import { eventGridConnection, eventHubsConnection, topology } from "../../src/config.js";
import type { CloudEvent } from "../../src/events/envelope.js";
import { TableEventStore } from "../../src/eventstore/table-event-store.js";
import { EventGridPublisher } from "../../src/messaging/event-grid-publisher.js";
import { createKafka, KafkaEventStream } from "../../src/messaging/kafka-event-stream.js";
import { ServiceBusMessageBus } from "../../src/messaging/service-bus-message-bus.js";
import { OutboxRelay } from "../../src/outbox/outbox-relay.js";
import { type AzuriteInstance, startAzurite } from "../helpers/azurite.js";

export interface OutboxTestEnv {
  azurite: AzuriteInstance;
  emulator: Emulator;
  table: TableClient;
  store: TableEventStore;
  serviceBusClient: ServiceBusClient;
  bus: ServiceBusMessageBus;
  kafka: KafkaEventStream;
  eventGrid: EventGridPublisher;
  relay: OutboxRelay;
  /** CloudEvents the Event Grid subscription pushed to the test's webhook. */
  pushed: CloudEvent[];
  close(): Promise<void>;
}

/** Starts a webhook that grants Event Grid's CloudEvents handshake and keeps what it receives. */
async function startWebhook(pushed: CloudEvent[]): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method === "OPTIONS") {
      res.writeHead(200, { "WebHook-Allowed-Origin": "*" }).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as CloudEvent | CloudEvent[];
      pushed.push(...(Array.isArray(body) ? body : [body]));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

export async function startOutboxTestEnv(): Promise<OutboxTestEnv> {
  const pushed: CloudEvent[] = [];
  const webhook = await startWebhook(pushed);
  const eventGridConfig = JSON.parse(readFileSync(appEventGridConfigFile, "utf8")) as { topics: { name: string; eventSubscriptions: { properties: { destination: unknown } }[] }[] };
  const topic = eventGridConfig.topics.find((t) => t.name === topology.eventGridTopic)!;
  for (const s of topic.eventSubscriptions) s.properties.destination = { endpointType: "WebHook", properties: { endpointUrl: `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/notify`, maxEventsPerBatch: 1 } };

  const [azurite, emulator] = await Promise.all([startAzurite(), startEmulator({ ...appTopology, servicebusPort: 0, httpPort: 0, kafkaPort: 0, eventgridConfig: eventGridConfig })]);
  const table = TableClient.fromConnectionString(azurite.connectionString, topology.tables.events, { allowInsecureConnection: true });
  const store = new TableEventStore(table);
  const serviceBusClient = new ServiceBusClient(emulator.serviceBus.connectionString, { retryOptions: { maxRetries: 1, timeoutInMs: 10_000 } });
  const bus = new ServiceBusMessageBus(serviceBusClient);
  const kafka = new KafkaEventStream(createKafka(eventHubsConnection({ EventHubsConnection: emulator.kafka.connectionString })!));
  const egTopic = emulator.eventGrid.topics.find((t) => t.name === topology.eventGridTopic)!;
  const eventGrid = new EventGridPublisher(eventGridConnection({ MusicFestEvents__topicEndpointUri: egTopic.endpoint, MusicFestEvents__topicKey: egTopic.key }));
  const relay = new OutboxRelay({ store, serviceBus: bus, kafka, eventGrid });
  return {
    azurite,
    emulator,
    table,
    store,
    serviceBusClient,
    bus,
    kafka,
    eventGrid,
    relay,
    pushed,
    async close() {
      await Promise.allSettled([bus.close(), kafka.close(), eventGrid.close()]);
      await serviceBusClient.close();
      await Promise.allSettled([emulator.close(), azurite.close(), new Promise((resolve) => webhook.close(resolve))]);
    },
  };
}

/** Resolves when `check` holds, polling on real time (for deliveries pushed by another process). */
export async function eventually(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
