/**
 * Event Grid delivering into the Service Bus emulator: published with EventGridPublisherClient, received with
 * @azure/service-bus. One message per event, the event JSON as the body, the aeg-* delivery properties and custom
 * delivery properties as application properties, reserved names on the message itself; a missing entity is retried.
 */
import { AzureKeyCredential, EventGridPublisherClient } from "@azure/eventgrid";
import type { ServiceBusClient, ServiceBusReceivedMessage } from "@azure/service-bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../../emulator/index.js";
import { serviceBusClient, serviceBusConfig } from "../../helpers/servicebus.js";

let emulator: Emulator;
let client: ServiceBusClient;

const ns = "/subscriptions/x/resourceGroups/rg/providers/Microsoft.ServiceBus/namespaces/sbemulatorns";

beforeAll(async () => {
  emulator = await startEmulator({
    servicebusPort: 0,
    httpPort: 0,
    kafkaPort: 0,
    servicebusConfig: serviceBusConfig([{ Name: "eg-orders" }], [{ Name: "eg-fanout", Subscriptions: [{ Name: "audit" }] }]),
    eventgridConfig: {
      topics: [
        {
          name: "orders",
          eventSubscriptions: [
            {
              name: "to-queue",
              properties: {
                destination: {
                  endpointType: "ServiceBusQueue",
                  properties: {
                    resourceId: `${ns}/queues/eg-orders`,
                    deliveryAttributeMappings: [
                      { name: "SessionId", type: "Dynamic", properties: { sourceField: "data.customer" } },
                      { name: "source-system", type: "Static", properties: { value: "ticketing" } },
                    ],
                  },
                },
              },
            },
            { name: "to-topic", properties: { destination: { endpointType: "ServiceBusTopic", properties: { resourceId: `${ns}/topics/eg-fanout` } } } },
            {
              name: "to-missing",
              properties: {
                destination: { endpointType: "ServiceBusQueue", properties: { resourceId: `${ns}/queues/does-not-exist` } },
                retryPolicy: { maxDeliveryAttempts: 2 },
              },
            },
          ],
        },
      ],
    },
  });
  client = serviceBusClient(emulator);
});

afterAll(async () => {
  await client?.close();
  await emulator?.close();
});

async function receive(receiver: ReturnType<ServiceBusClient["createReceiver"]>, count: number): Promise<ServiceBusReceivedMessage[]> {
  const got: ServiceBusReceivedMessage[] = [];
  while (got.length < count) {
    const batch = await receiver.receiveMessages(count - got.length, { maxWaitTimeInMs: 3000 });
    if (batch.length === 0) break;
    got.push(...batch);
  }
  await receiver.close();
  return got;
}

describe("Service Bus destinations", () => {
  it("delivers each event as one message to a queue and to a topic", async () => {
    const topic = emulator.eventGrid.topics[0];
    const publisher = new EventGridPublisherClient(topic.endpoint, "EventGrid", new AzureKeyCredential(topic.key), { allowInsecureConnection: true });
    await publisher.send([
      { id: "o-1", eventType: "Order.Placed", subject: "orders/1", dataVersion: "1.0", data: { customer: "c-1", total: 10 } },
      { id: "o-2", eventType: "Order.Placed", subject: "orders/2", dataVersion: "1.0", data: { customer: "c-2", total: 20 } },
    ]);
    await emulator.eventGrid.whenIdle("orders", "to-queue");
    await emulator.eventGrid.whenIdle("orders", "to-topic");

    const queued = await receive(client.createReceiver("eg-orders", { receiveMode: "receiveAndDelete" }), 2);
    expect(queued).toHaveLength(2);
    const first = queued.find((m) => (m.body as { id: string }).id === "o-1")!;
    expect(first.body).toMatchObject({ id: "o-1", topic: topic.id, metadataVersion: "1", data: { customer: "c-1", total: 10 } });
    expect(first.contentType).toBe("application/json");
    expect(first.sessionId).toBe("c-1");
    expect(first.applicationProperties).toMatchObject({
      "aeg-subscription-name": "TO-QUEUE",
      "aeg-delivery-count": "0",
      "aeg-event-type": "Notification",
      "aeg-metadata-version": "1",
      "aeg-data-version": "1.0",
      "aeg-output-event-id": "o-1",
      "source-system": "ticketing",
    });
    expect(typeof first.messageId).toBe("string");

    const fanned = await receive(client.createReceiver("eg-fanout", "audit", { receiveMode: "receiveAndDelete" }), 2);
    expect(fanned.map((m) => (m.body as { id: string }).id).sort()).toEqual(["o-1", "o-2"]);
    expect(fanned[0].applicationProperties?.["aeg-subscription-name"]).toBe("TO-TOPIC");
  });

  it("retries a missing entity as NotFound, at least 5 minutes apart, then gives up", async () => {
    await emulator.eventGrid.whenQuiet("orders", "to-missing");
    const state = () => emulator.eventGrid.subscriptionState("orders", "to-missing")!;
    expect(state().retrying[0]).toMatchObject({ deliveryAttempts: 1, lastDeliveryOutcome: "NotFound" });
    emulator.clock.advance(10_000);
    await emulator.eventGrid.whenQuiet("orders", "to-missing");
    expect(state().retrying[0].deliveryAttempts).toBe(1);
    emulator.clock.advance(5 * 60_000);
    await emulator.eventGrid.whenIdle("orders", "to-missing");
    expect(state().counts).toMatchObject({ dropped: 2, retrying: 0 });
  });
});
