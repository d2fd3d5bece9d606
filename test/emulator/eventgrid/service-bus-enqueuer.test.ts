/**
 * Event Grid reaches Service Bus only through the ServiceBusEnqueuer interface (common/service-bus-enqueuer.ts):
 * any object with `enqueue(entity, message)` is a Service Bus to it, with no Service Bus model behind it. What it
 * hands over is what a user finds in the queue: the event JSON as the body, its id as MessageId, the content type.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { EnqueuedMessage, ServiceBusEnqueuer } from "../../../emulator/eventgrid/index.js";
import { startTestEventGrid, type TestEventGrid } from "./helpers.js";

const ns = "/subscriptions/x/resourceGroups/rg/providers/Microsoft.ServiceBus/namespaces/anyns";
const enqueued: { entity: string; message: EnqueuedMessage }[] = [];
const recordingServiceBus: ServiceBusEnqueuer = {
  async enqueue(entity, message) {
    enqueued.push({ entity, message });
  },
};

let grid: TestEventGrid;
beforeAll(async () => {
  const destination = { endpointType: "ServiceBusQueue", properties: { resourceId: `${ns}/queues/orders` } };
  const subscription = { name: "to-orders", properties: { destination } };
  const config = { topics: [{ name: "shop", eventSubscriptions: [subscription] }] };
  grid = await startTestEventGrid(config, { serviceBus: recordingServiceBus });
});
afterAll(() => grid?.close());

it("delivers a Service Bus destination's events through enqueue(entity, message) of any implementer", async () => {
  const event = { id: "e-1", eventType: "Order.Placed", subject: "orders/1", dataVersion: "1.0", data: { total: 1 } };
  const published = await fetch(grid.endpoint("shop"), {
    method: "POST",
    headers: { "content-type": "application/json", "aeg-sas-key": grid.key("shop") },
    body: JSON.stringify([{ ...event, eventTime: new Date().toISOString() }]),
  });
  expect(published.status).toBe(200);
  await grid.eventGrid.whenIdle("shop", "to-orders");

  expect(enqueued.map((e) => e.entity)).toEqual(["orders"]);
  const [{ message }] = enqueued;
  expect(message.contentType).toBe("application/json");
  const body = JSON.parse(message.body.toString());
  expect(body).toMatchObject({ id: "e-1", eventType: "Order.Placed", data: { total: 1 } });
  expect(message.applicationProperties).toMatchObject({ "aeg-subscription-name": "TO-ORDERS" });
});
