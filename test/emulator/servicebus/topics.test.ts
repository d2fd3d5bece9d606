import type { ServiceBusClient, ServiceBusReceivedMessage } from "@azure/service-bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../../../emulator/index.js";
import { serviceBusClient, serviceBusConfig, startServiceBusEmulator } from "../../helpers/servicebus.js";

let emulator: Emulator;
let client: ServiceBusClient;

const correlation = (Name: string, CorrelationFilter: Record<string, unknown>) => ({ Name, Properties: { FilterType: "Correlation", CorrelationFilter } });

beforeAll(async () => {
  emulator = await startServiceBusEmulator(
    serviceBusConfig(
      [],
      [
        {
          Name: "orders",
          Subscriptions: [
            { Name: "all" },
            { Name: "json-only", Rules: [correlation("json", { ContentType: "application/json" })] },
            { Name: "vip", Rules: [correlation("vip", { Properties: { tier: "gold" } })] },
            { Name: "refunds", Rules: [correlation("refund", { Label: "refund", CorrelationId: "c-9" })] },
          ],
        },
      ],
    ),
  );
  client = serviceBusClient(emulator);
});

afterAll(async () => {
  await client?.close();
  await emulator?.close();
});

/** Receives `expected` messages and checks the subscription holds nothing more. */
async function bodies(subscription: string, expected: number): Promise<unknown[]> {
  const receiver = client.createReceiver("orders", subscription, { receiveMode: "receiveAndDelete" });
  const got: ServiceBusReceivedMessage[] = [];
  while (got.length < expected) {
    const batch = await receiver.receiveMessages(expected - got.length, { maxWaitTimeInMs: 3000 });
    if (batch.length === 0) break;
    got.push(...batch);
  }
  await receiver.close();
  expect(emulator.serviceBus.namespace.resolve(`orders/Subscriptions/${subscription}`)!.store!.messageCount).toBe(0);
  return got.map((m) => m.body);
}

describe("Service Bus topics", () => {
  it("fans a message out to every subscription whose rule matches (TrueFilter and correlation filters)", async () => {
    const sender = client.createSender("orders");
    await sender.sendMessages([
      { body: "plain" },
      { body: "json", contentType: "application/json" },
      { body: "gold", applicationProperties: { tier: "gold" } },
      { body: "silver", applicationProperties: { tier: "silver" } },
      { body: "refund", subject: "refund", correlationId: "c-9" },
      { body: "refund-other", subject: "refund", correlationId: "c-1" },
    ]);
    await sender.close();
    expect(await bodies("all", 6)).toEqual(["plain", "json", "gold", "silver", "refund", "refund-other"]);
    expect(await bodies("json-only", 1)).toEqual(["json"]);
    expect(await bodies("vip", 1)).toEqual(["gold"]);
    expect(await bodies("refunds", 1)).toEqual(["refund"]);
  });

  it("keeps the topic's sequence number in every subscription's copy, and each copy settles on its own", async () => {
    const sender = client.createSender("orders");
    await sender.sendMessages({ body: "both", applicationProperties: { tier: "gold" } });
    await sender.close();
    const all = client.createReceiver("orders", "all");
    const vip = client.createReceiver("orders", "vip");
    const [a] = await all.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    const [v] = await vip.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    expect(a.sequenceNumber!.toNumber()).toBe(v.sequenceNumber!.toNumber());
    await all.completeMessage(a);
    await vip.abandonMessage(v);
    const [again] = await vip.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    expect(again.body).toBe("both");
    expect(again.deliveryCount).toBe(1);
    await vip.completeMessage(again);
    await all.close();
    await vip.close();
  });
});
