import type { ServiceBusClient, ServiceBusMessage, ServiceBusReceivedMessage } from "@azure/service-bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../../../emulator/index.js";
import { serviceBusClient, serviceBusConfig, startServiceBusEmulator, sendWith } from "../../helpers/servicebus.js";

let emulator: Emulator;
let client: ServiceBusClient;
const detect = { RequiresDuplicateDetection: true, DuplicateDetectionHistoryTimeWindow: "PT1M" };

beforeAll(async () => {
  emulator = await startServiceBusEmulator(
    serviceBusConfig(
      [
        { Name: "dedup", Properties: detect },
        { Name: "dedup-batch", Properties: detect },
        { Name: "no-dedup" },
      ],
      [{ Name: "events", Properties: detect, Subscriptions: [{ Name: "a" }, { Name: "b" }] }],
    ),
  );
  client = serviceBusClient(emulator);
});

afterAll(async () => {
  await client?.close();
  await emulator?.close();
});

const send = (entity: string, messages: ServiceBusMessage | ServiceBusMessage[]) => sendWith(client, entity, messages);

async function drain(entity: string, subscription?: string): Promise<ServiceBusReceivedMessage[]> {
  const receiver = subscription ? client.createReceiver(entity, subscription, { receiveMode: "receiveAndDelete" }) : client.createReceiver(entity, { receiveMode: "receiveAndDelete" });
  const messages = await receiver.receiveMessages(10, { maxWaitTimeInMs: 300 });
  await receiver.close();
  return messages;
}

describe("Service Bus duplicate detection", () => {
  it("accepts a repeated MessageId inside the window and drops it; after the window it is accepted again", async () => {
    await send("dedup", { body: "first", messageId: "order-1" });
    await send("dedup", { body: "again", messageId: "order-1" });
    await send("dedup", { body: "other", messageId: "order-2" });
    expect((await drain("dedup")).map((m) => m.body)).toEqual(["first", "other"]);

    emulator.clock.advance(30_000);
    await send("dedup", { body: "still inside", messageId: "order-1" });
    expect(await drain("dedup")).toHaveLength(0);

    emulator.clock.advance(31_000);
    await send("dedup", { body: "after the window", messageId: "order-1" });
    expect((await drain("dedup")).map((m) => m.body)).toEqual(["after the window"]);
  });

  it("drops duplicates inside one batch and across senders", async () => {
    await send("dedup-batch", [
      { body: "x1", messageId: "x" },
      { body: "x2", messageId: "x" },
      { body: "y1", messageId: "y" },
    ]);
    await send("dedup-batch", { body: "y2", messageId: "y" });
    expect((await drain("dedup-batch")).map((m) => m.body)).toEqual(["x1", "y1"]);
  });

  it("keeps repeated ids on an entity without duplicate detection", async () => {
    await send("no-dedup", [
      { body: "1", messageId: "same" },
      { body: "2", messageId: "same" },
    ]);
    expect((await drain("no-dedup")).map((m) => m.body)).toEqual(["1", "2"]);
  });

  it("on a topic detection happens at the topic: no subscription gets the duplicate", async () => {
    await send("events", { body: "e1", messageId: "evt" });
    await send("events", { body: "e1 again", messageId: "evt" });
    for (const subscription of ["a", "b"]) expect((await drain("events", subscription)).map((m) => m.body)).toEqual(["e1"]);
  });
});
