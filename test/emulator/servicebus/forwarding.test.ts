import type { ServiceBusClient, ServiceBusMessage, ServiceBusReceivedMessage } from "@azure/service-bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../../../emulator/index.js";
import { serviceBusClient, serviceBusConfig, startServiceBusEmulator, type QueueSpec, sendWith } from "../../helpers/servicebus.js";

let emulator: Emulator;
let client: ServiceBusClient;

/** Queues `${prefix}0` -> `${prefix}1` -> ... -> `${prefix}${hops}`: a chain of `hops` forwards. */
const chain = (prefix: string, hops: number): QueueSpec[] =>
  Array.from({ length: hops + 1 }, (_, i) => ({ Name: `${prefix}${i}`, Properties: i < hops ? { ForwardTo: `${prefix}${i + 1}` } : {} }));

beforeAll(async () => {
  emulator = await startServiceBusEmulator(
    serviceBusConfig(
      [
        { Name: "inbox", Properties: { ForwardTo: "outbox" } },
        { Name: "outbox" },
        ...chain("four-", 4),
        ...chain("five-", 5),
        { Name: "worker", Properties: { MaxDeliveryCount: 1, ForwardDeadLetteredMessagesTo: "central-dlq" } },
        { Name: "central-dlq" },
        { Name: "to-sessions", Properties: { ForwardTo: "sessions" } },
        { Name: "sessions", Properties: { RequiresSession: true } },
        { Name: "later", Properties: { ForwardTo: "outbox-later" } },
        { Name: "outbox-later" },
        { Name: "fan-in" },
      ],
      [
        { Name: "feed", Subscriptions: [{ Name: "forwarder", Properties: { ForwardTo: "fan-in" } }] },
        { Name: "relay", Subscriptions: [{ Name: "x", Properties: { ForwardTo: "feed" } }] },
      ],
    ),
  );
  client = serviceBusClient(emulator);
});

afterAll(async () => {
  await client?.close();
  await emulator?.close();
});

const send = (entity: string, messages: ServiceBusMessage | ServiceBusMessage[]) => sendWith(client, entity, messages);

async function drain(entity: string, subQueueType?: "deadLetter" | "transferDeadLetter"): Promise<ServiceBusReceivedMessage[]> {
  const receiver = client.createReceiver(entity, { receiveMode: "receiveAndDelete", subQueueType });
  const messages = await receiver.receiveMessages(10, { maxWaitTimeInMs: 300 });
  await receiver.close();
  return messages;
}

describe("Service Bus auto-forwarding", () => {
  it("ForwardTo moves every message to the target queue and counts the transfer", async () => {
    await send("inbox", [{ body: "m1", applicationProperties: { n: 1 } }, { body: "m2" }]);
    const received = await drain("outbox");
    expect(received.map((m) => m.body)).toEqual(["m1", "m2"]);
    expect(received[0].applicationProperties).toEqual({ n: 1 });
    expect(await drain("inbox")).toHaveLength(0);
    expect(emulator.serviceBus.namespace.queues.get("inbox")!.transferredCount).toBe(2);
  });

  it("a chain of four hops delivers; a fifth hop sends the message to the transfer dead-letter queue", async () => {
    await send("four-0", { body: "four hops" });
    expect((await drain("four-4")).map((m) => m.body)).toEqual(["four hops"]);

    await send("five-0", { body: "five hops" });
    expect(await drain("five-5")).toHaveLength(0);
    const [stuck] = await drain("five-4", "transferDeadLetter");
    expect(stuck.body).toBe("five hops");
    expect(stuck.deadLetterReason).toBe("MaxTransferHopCountExceeded");
  });

  it("ForwardDeadLetteredMessagesTo forwards dead letters, marked with x-opt-deadletter-source", async () => {
    await send("worker", { body: "poison" });
    const receiver = client.createReceiver("worker", { maxAutoLockRenewalDurationInMs: 0 });
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 1000 });
    await receiver.deadLetterMessage(message, { deadLetterReason: "Unprocessable", deadLetterErrorDescription: "bad input" });
    await receiver.close();
    expect(await drain("worker", "deadLetter")).toHaveLength(0);
    const [forwarded] = await drain("central-dlq");
    expect(forwarded.body).toBe("poison");
    expect(forwarded.deadLetterSource).toBe("worker");
    expect(forwarded.deadLetterReason).toBe("Unprocessable");
    expect(forwarded.deadLetterErrorDescription).toBe("bad input");
  });

  it("a message the target refuses (no session id for a session queue) lands in the source's transfer dead-letter queue", async () => {
    await send("to-sessions", [{ body: "no session" }, { body: "with session", sessionId: "s" }]);
    const [refused] = await drain("to-sessions", "transferDeadLetter");
    expect(refused.body).toBe("no session");
    expect(refused.deadLetterReason).toBe("Session id is null.");
    const receiver = await client.acceptSession("sessions", "s");
    expect((await receiver.receiveMessages(1, { maxWaitTimeInMs: 1000 }))[0].body).toBe("with session");
    await receiver.close();
  });

  it("a scheduled message on a forwarding queue is forwarded when it is due", async () => {
    const sender = client.createSender("later");
    await sender.scheduleMessages({ body: "due" }, new Date(emulator.clock.now() + 20_000));
    await sender.close();
    expect(await drain("outbox-later")).toHaveLength(0);
    emulator.clock.advance(20_000);
    expect((await drain("outbox-later")).map((m) => m.body)).toEqual(["due"]);
  });

  it("subscriptions forward to queues and to other topics", async () => {
    await send("relay", { body: "via two topics" });
    expect((await drain("fan-in")).map((m) => m.body)).toEqual(["via two topics"]);
  });
});
