/**
 * Service Bus test helpers: one emulator per test file (port 0), Config.json objects, SDK clients, and a raw rhea
 * client for checks the SDK cannot make (AMQP types on the wire, raw attaches).
 */
import { ServiceBusClient, type ServiceBusClientOptions, type ServiceBusMessage } from "@azure/service-bus";
import rhea from "rhea";
import { type Emulator, startEmulator } from "../../emulator/index.js";
import { SAS_KEY_NAME, SAS_KEY_VALUE } from "../../emulator/servicebus/index.js";
import { sasAuthorization } from "../../emulator/servicebus/sas-token.js";

export interface QueueSpec {
  Name: string;
  Properties?: Record<string, unknown>;
}
export interface TopicSpec {
  Name: string;
  Properties?: Record<string, unknown>;
  Subscriptions: { Name: string; Properties?: Record<string, unknown>; Rules?: unknown[] }[];
}

/** A Config.json object in the official emulator's format. */
export function serviceBusConfig(queues: QueueSpec[], topics: TopicSpec[] = []): object {
  return { UserConfig: { Namespaces: [{ Name: "sbemulatorns", Queues: queues, Topics: topics }], Logging: { Type: "Console" } } };
}

export function startServiceBusEmulator(config: object): Promise<Emulator> {
  // Every port the emulator opens must be a free one, so test files can run side by side.
  const options: NonNullable<Parameters<typeof startEmulator>[0]> & { kafkaPort?: number } = { servicebusConfig: config, servicebusPort: 0, httpPort: 0, kafkaPort: 0 };
  return startEmulator(options);
}

/** A client that fails fast instead of retrying for minutes. */
export function serviceBusClient(emulator: Emulator, options: ServiceBusClientOptions = {}, connectionString = emulator.serviceBus.connectionString): ServiceBusClient {
  return new ServiceBusClient(connectionString, { retryOptions: { maxRetries: 0, timeoutInMs: 10_000 }, ...options });
}

/** Sends with a short-lived sender, as a test that only needs messages in place does. */
export async function sendWith(client: ServiceBusClient, entity: string, messages: ServiceBusMessage | ServiceBusMessage[]): Promise<void> {
  const sender = client.createSender(entity);
  try {
    await sender.sendMessages(messages);
  } finally {
    await sender.close();
  }
}

export function sasToken(audience: string, key = SAS_KEY_VALUE, keyName = SAS_KEY_NAME): string {
  return sasAuthorization(audience, { keyName, key });
}

/** A raw rhea connection that has done the CBS put-token for the whole namespace. */
export async function rawAmqpConnection(port: number): Promise<{ container: any; connection: any; close(): void }> {
  const container = (rhea as any).create_container();
  container.on("error", () => undefined);
  const connection = container.connect({ host: "127.0.0.1", port, reconnect: false, username: SAS_KEY_NAME });
  connection.on("disconnected", () => undefined);
  connection.on("connection_error", () => undefined);
  await new Promise<void>((resolve, reject) => {
    connection.once("connection_open", () => resolve());
    connection.once("disconnected", (c: any) => reject(c.error ?? new Error("disconnected")));
  });
  const replyName = "cbs-raw";
  const reply = connection.open_receiver({ name: replyName, source: { address: "$cbs" }, target: null });
  const request = connection.open_sender({ target: { address: "$cbs" } });
  await new Promise<void>((resolve, reject) => {
    reply.once("message", (c: any) => {
      const status = c.message.application_properties?.["status-code"];
      if (status === 202) resolve();
      else reject(new Error(`put-token failed: ${status}`));
    });
    request.once("sendable", () =>
      request.send({
        message_id: "1",
        reply_to: replyName,
        to: "$cbs",
        application_properties: { operation: "put-token", name: `sb://localhost:${port}/`, type: "servicebus.windows.net:sastoken" },
        body: sasToken(`sb://localhost:${port}/`),
      }),
    );
  });
  return { container, connection, close: () => connection.close() };
}
