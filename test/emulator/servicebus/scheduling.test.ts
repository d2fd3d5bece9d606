import type { ServiceBusClient, ServiceBusReceivedMessage } from "@azure/service-bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../../../emulator/index.js";
import { serviceBusClient, serviceBusConfig, startServiceBusEmulator } from "../../helpers/servicebus.js";

let emulator: Emulator;
let client: ServiceBusClient;

beforeAll(async () => {
  emulator = await startServiceBusEmulator(
    serviceBusConfig(
      ["scheduled", "annotated", "cancelled", "ordered"].map((Name) => ({ Name })),
      [{ Name: "news", Subscriptions: [{ Name: "all" }, { Name: "also" }] }],
    ),
  );
  client = serviceBusClient(emulator);
});

afterAll(async () => {
  await client?.close();
  await emulator?.close();
});

const inMs = (ms: number) => new Date(emulator.clock.now() + ms);
const seq = (m: ServiceBusReceivedMessage) => m.sequenceNumber!.toNumber();

async function drain(entity: string, subscription?: string): Promise<ServiceBusReceivedMessage[]> {
  const receiver = subscription ? client.createReceiver(entity, subscription, { receiveMode: "receiveAndDelete" }) : client.createReceiver(entity, { receiveMode: "receiveAndDelete" });
  const messages = await receiver.receiveMessages(10, { maxWaitTimeInMs: 300 });
  await receiver.close();
  return messages;
}

describe("Service Bus scheduled messages", () => {
  it("scheduleMessages holds messages as scheduled until the emulator clock reaches their time", async () => {
    const sender = client.createSender("scheduled");
    const due = inMs(60_000);
    const numbers = await sender.scheduleMessages([{ body: "s1" }, { body: "s2" }], due);
    expect(numbers.map((n) => n.toNumber())).toEqual([1, 2]);
    await sender.close();

    const peeker = client.createReceiver("scheduled");
    const peeked = await peeker.peekMessages(10);
    expect(peeked.map((m) => [m.body, m.state, seq(m)])).toEqual([
      ["s1", "scheduled", 1],
      ["s2", "scheduled", 2],
    ]);
    expect(peeked[0].scheduledEnqueueTimeUtc?.getTime()).toBe(due.getTime());
    expect(await drain("scheduled")).toHaveLength(0);

    emulator.clock.advance(60_000);
    // Received once due, but still reported as scheduled (x-opt-message-state 2), as Azure does.
    const active = await drain("scheduled");
    expect(active.map((m) => [m.body, m.state, seq(m)])).toEqual([
      ["s1", "scheduled", 1],
      ["s2", "scheduled", 2],
    ]);
    expect(active[0].enqueuedTimeUtc?.getTime()).toBe(due.getTime());
    await peeker.close();
  });

  it("a message sent with scheduledEnqueueTimeUtc is scheduled too", async () => {
    const sender = client.createSender("annotated");
    await sender.sendMessages([{ body: "now" }, { body: "later", scheduledEnqueueTimeUtc: inMs(30_000) }]);
    await sender.close();
    expect((await drain("annotated")).map((m) => [m.body, m.state])).toEqual([["now", "active"]]);
    emulator.clock.advance(30_000);
    expect((await drain("annotated")).map((m) => [m.body, m.state])).toEqual([["later", "scheduled"]]);
  });

  it("cancelScheduledMessages removes scheduled messages before they are due", async () => {
    const sender = client.createSender("cancelled");
    const [keep, drop] = await sender.scheduleMessages([{ body: "keep" }, { body: "drop" }], inMs(10_000));
    await sender.cancelScheduledMessages(drop);
    const peeker = client.createReceiver("cancelled");
    expect((await peeker.peekMessages(10)).map((m) => seq(m))).toEqual([keep.toNumber()]);
    await peeker.close();
    emulator.clock.advance(10_000);
    expect((await drain("cancelled")).map((m) => m.body)).toEqual(["keep"]);
    // Cancelling a message that is no longer scheduled changes nothing.
    await sender.cancelScheduledMessages(keep);
    await sender.close();
  });

  it("scheduled messages become active in due order, each when the clock reaches it", async () => {
    const sender = client.createSender("ordered");
    await sender.scheduleMessages([{ body: "third" }], inMs(30_000));
    await sender.scheduleMessages([{ body: "first" }], inMs(10_000));
    await sender.scheduleMessages([{ body: "second" }], inMs(20_000));
    await sender.close();
    emulator.clock.advance(15_000);
    expect((await drain("ordered")).map((m) => m.body)).toEqual(["first"]);
    emulator.clock.advance(10_000);
    expect((await drain("ordered")).map((m) => m.body)).toEqual(["second"]);
    emulator.clock.advance(10_000);
    expect((await drain("ordered")).map((m) => m.body)).toEqual(["third"]);
  });

  it("on a topic, schedule and cancel go to the topic; every subscription's copy keeps the topic's sequence number", async () => {
    const sender = client.createSender("news");
    await sender.sendMessages({ body: "plain" });
    const [kept, cancelled] = await sender.scheduleMessages([{ body: "kept" }, { body: "cancelled" }], inMs(5_000));
    await sender.cancelScheduledMessages(cancelled);
    await sender.close();
    expect(kept.toNumber()).toBe(2);
    expect((await drain("news", "all")).map((m) => [m.body, seq(m)])).toEqual([["plain", 1]]);
    emulator.clock.advance(5_000);
    for (const subscription of ["all", "also"]) {
      const received = (await drain("news", subscription)).map((m) => [m.body, seq(m), m.state]);
      expect(received).toEqual(subscription === "all" ? [["kept", 2, "scheduled"]] : [
        ["plain", 1, "active"],
        ["kept", 2, "scheduled"],
      ]);
    }
  });
});
