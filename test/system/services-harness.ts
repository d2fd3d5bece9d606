/**
 * What the services system tests share: Azurite and the emulator with the commands/events topology of the system
 * (as in topology/servicebus.json: SQL filters on commandType / eventType, duplicate detection,
 * MaxDeliveryCount 5), and consumers run as the Functions Service Bus trigger runs them: the SDK's subscribe, the
 * message completed when the handler returns and abandoned when it throws (so Service Bus redelivers it and
 * dead-letters it after MaxDeliveryCount).
 */
import { TableClient } from "@azure/data-tables";
import type { ServiceBusClient, ServiceBusMessage, ServiceBusReceivedMessage, ServiceBusReceiver } from "@azure/service-bus";
import type { Emulator } from "../../emulator/index.js";
import { catalog, type MessageName, messageNameOf } from "../../src/events/catalog.js";
import { CLOUD_EVENTS_CONTENT_TYPE, type CloudEvent } from "../../src/events/envelope.js";
import { type AzuriteInstance, startAzurite } from "../helpers/azurite.js";
import { serviceBusClient, serviceBusConfig, startServiceBusEmulator } from "../helpers/servicebus.js";

const typeList = (names: MessageName[]) => names.map((n) => `'${catalog[n].type}'`).join(", ");
const subscription = (name: string, property: string, names: MessageName[]) => ({
  Name: name,
  Properties: { MaxDeliveryCount: 5, LockDuration: "PT1M", DeadLetteringOnMessageExpiration: true },
  Rules: [{ Name: `${name}-types`, Properties: { FilterType: "Sql", SqlFilter: { SqlExpression: `${property} IN (${typeList(names)})` } } }],
});

export const servicesTopology = serviceBusConfig(
  [],
  [
    {
      Name: "commands",
      Properties: { RequiresDuplicateDetection: true, DuplicateDetectionHistoryTimeWindow: "PT10M" },
      Subscriptions: [subscription("payments", "commandType", ["CapturePayment", "RefundPayment"]), subscription("ticketing-provider", "commandType", ["IssueTickets"])],
    },
    {
      Name: "events",
      Properties: { RequiresDuplicateDetection: true, DuplicateDetectionHistoryTimeWindow: "PT10M" },
      Subscriptions: [subscription("email", "eventType", ["PurchaseCompleted", "PurchaseCancelled"])],
    },
  ],
);

export interface ServicesStack {
  azurite: AzuriteInstance;
  emulator: Emulator;
  client: ServiceBusClient;
  table(name: string): TableClient;
  close(): Promise<void>;
}

export async function startServicesStack(): Promise<ServicesStack> {
  const [azurite, emulator] = await Promise.all([startAzurite(), startServiceBusEmulator(servicesTopology)]);
  const client = serviceBusClient(emulator);
  return {
    azurite,
    emulator,
    client,
    table: (name) => TableClient.fromConnectionString(azurite.connectionString, name, { allowInsecureConnection: true }),
    async close() {
      await client.close();
      await Promise.allSettled([emulator.close(), azurite.close()]);
    },
  };
}

/** The message the relay would send for a catalog message (body = the CloudEvent, filterable type property). */
export function busMessage(message: CloudEvent, messageId = message.id): ServiceBusMessage {
  const name = messageNameOf(message.type);
  const kind = name && catalog[name].kind === "command" ? "commandType" : "eventType";
  return {
    messageId,
    body: message,
    contentType: CLOUD_EVENTS_CONTENT_TYPE,
    correlationId: message.correlationid,
    subject: message.type,
    applicationProperties: { [kind]: message.type, ...((message.data as { purchaseId?: string }).purchaseId ? { purchaseId: (message.data as { purchaseId: string }).purchaseId } : {}) },
  };
}

export interface Delivery {
  message: ServiceBusReceivedMessage;
  outcome: "completed" | "abandoned";
  result?: unknown;
  error?: unknown;
}

/** A subscription consumer with the Functions trigger's settlement; every delivery is recorded for the test. */
export function runConsumer(client: ServiceBusClient, topic: string, subscriptionName: string, handle: (body: unknown, message: ServiceBusReceivedMessage) => Promise<unknown>) {
  const receiver: ServiceBusReceiver = client.createReceiver(topic, subscriptionName);
  const deliveries: Delivery[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const notify = () => {
    for (const w of [...waiters]) {
      if (deliveries.length < w.count) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  const subscription = receiver.subscribe(
    {
      processMessage: async (message) => {
        try {
          const result = await handle(message.body, message);
          deliveries.push({ message, outcome: "completed", result });
        } catch (error) {
          deliveries.push({ message, outcome: "abandoned", error });
          throw error;
        } finally {
          notify();
        }
      },
      processError: async () => undefined,
    },
    { maxConcurrentCalls: 1 },
  );
  return {
    deliveries,
    /** Resolves when at least `count` deliveries were handled (completed or abandoned). */
    handled(count: number, timeoutMs = 15_000): Promise<void> {
      if (deliveries.length >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${deliveries.length} of ${count} deliveries within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
    async close() {
      await subscription.close();
      await receiver.close();
    },
  };
}
