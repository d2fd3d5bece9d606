import type { ServiceBusClient } from "@azure/service-bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../../../emulator/index.js";
import { serviceBusClient, serviceBusConfig, startServiceBusEmulator } from "../../helpers/servicebus.js";

let emulator: Emulator;
let client: ServiceBusClient;

beforeAll(async () => {
  emulator = await startServiceBusEmulator(
    serviceBusConfig([
      { Name: "drop" },
      { Name: "entity-default", Properties: { DefaultMessageTimeToLive: "PT1M" } },
      { Name: "to-dlq", Properties: { DefaultMessageTimeToLive: "PT1H", DeadLetteringOnMessageExpiration: true } },
    ]),
  );
  client = serviceBusClient(emulator);
});

afterAll(async () => {
  await client?.close();
  await emulator?.close();
});

describe("Service Bus message time to live", () => {
  it("removes a message whose own timeToLive passed on the emulator clock", async () => {
    const sender = client.createSender("drop");
    await sender.sendMessages([{ body: "short", timeToLive: 10_000 }, { body: "long" }]);
    const receiver = client.createReceiver("drop", { receiveMode: "receiveAndDelete" });
    const [peeked] = await receiver.peekMessages(1);
    expect(peeked.timeToLive).toBe(10_000);
    expect(peeked.expiresAtUtc!.getTime()).toBe(peeked.enqueuedTimeUtc!.getTime() + 10_000);
    emulator.clock.advance(10_001);
    expect((await receiver.peekMessages(10, { fromSequenceNumber: peeked.sequenceNumber })).map((m) => m.body)).toEqual(["long"]);
    const got = await receiver.receiveMessages(10, { maxWaitTimeInMs: 1000 });
    expect(got.map((m) => m.body)).toEqual(["long"]);
    await receiver.close();
    await sender.close();
  });

  it("applies the entity's DefaultMessageTimeToLive to messages without their own", async () => {
    const sender = client.createSender("entity-default");
    await sender.sendMessages({ body: "default" });
    const receiver = client.createReceiver("entity-default");
    const [peeked] = await receiver.peekMessages(1);
    expect(peeked.timeToLive).toBe(60_000);
    emulator.clock.advance(60_001);
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 })).toHaveLength(0);
    expect(emulator.serviceBus.namespace.resolve("entity-default/$DeadLetterQueue")!.store!.messageCount).toBe(0);
    await receiver.close();
    await sender.close();
  });

  it("dead-letters an expired message with TTLExpiredException when DeadLetteringOnMessageExpiration is set", async () => {
    const sender = client.createSender("to-dlq");
    await sender.sendMessages({ body: "expiring", timeToLive: 5_000 });
    emulator.clock.advance(5_001);
    const receiver = client.createReceiver("to-dlq");
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 })).toHaveLength(0);
    const dlq = client.createReceiver("to-dlq", { subQueueType: "deadLetter" });
    const [dead] = await dlq.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    expect(dead.body).toBe("expiring");
    expect(dead.deadLetterReason).toBe("TTLExpiredException");
    await dlq.completeMessage(dead);
    await dlq.close();
    await receiver.close();
    await sender.close();
  });
});
