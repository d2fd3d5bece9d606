import type { ServiceBusClient } from "@azure/service-bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../../../emulator/index.js";
import { serviceBusClient, serviceBusConfig, startServiceBusEmulator } from "../../helpers/servicebus.js";
import { startFixtureHost, type FixtureHost } from "./start-fixture-host.js";

let emulator: Emulator;
let client: ServiceBusClient;
let host: FixtureHost;

beforeAll(async () => {
  emulator = await startServiceBusEmulator(
    serviceBusConfig(
      [
        { Name: "orders", Properties: { MaxDeliveryCount: 2, LockDuration: "PT30S" } },
        { Name: "orders-batch", Properties: { MaxDeliveryCount: 2 } },
        { Name: "notifications", Properties: {} },
        { Name: "manual", Properties: { MaxDeliveryCount: 5, LockDuration: "PT30S" } },
      ],
      [{ Name: "tickets", Subscriptions: [{ Name: "audit" }] }],
    ),
  );
  client = serviceBusClient(emulator);
  host = await startFixtureHost({
    clock: emulator.clock,
    env: {
      ServiceBusConnection: emulator.serviceBus.connectionString,
      "AzureWebJobs.sb-order.Disabled": "false",
      "AzureWebJobs.sb-batch.Disabled": "false",
      "AzureWebJobs.sb-audit.Disabled": "false",
      "AzureWebJobs.sb-manual.Disabled": "false",
    },
  });
});
afterAll(async () => {
  await host?.close();
  await client?.close();
  await emulator?.close();
});

interface SeenMessage {
  functionName: string;
  message: unknown;
  triggerMetadata: Record<string, unknown>;
}
async function seenMessages(functionName: string): Promise<SeenMessage[]> {
  const seen = (await (await fetch(`${host.url}/api/inspect`)).json()) as { messages: SeenMessage[] };
  return seen.messages.filter((m) => m.functionName === functionName);
}

async function send(entity: string, messages: Parameters<ReturnType<ServiceBusClient["createSender"]>["sendMessages"]>[0]): Promise<void> {
  const sender = client.createSender(entity);
  await sender.sendMessages(messages);
  await sender.close();
}

describe("Service Bus queue trigger (cardinality one)", () => {
  it("invokes the function with the body and the host's trigger metadata, forwards its outputs, and completes the message", async () => {
    const done = host.nextInvocation("sb-order");
    await send("orders", { body: { orderId: 1 }, messageId: "order-1", correlationId: "corr-1", subject: "Orders.Placed", applicationProperties: { Tenant: "t1" } });
    expect(await done).toMatchObject({ functionName: "sb-order", trigger: "serviceBusTrigger", outcome: "succeeded" });

    const [seen] = await seenMessages("sb-order");
    expect(seen.message).toEqual({ orderId: 1 });
    expect(seen.triggerMetadata).toMatchObject({
      messageId: "order-1",
      correlationId: "corr-1",
      subject: "Orders.Placed",
      label: "Orders.Placed",
      deliveryCount: 1,
      // The library camel-cases metadata recursively, first letter only, as under the real host.
      applicationProperties: { tenant: "t1" },
    });
    expect(typeof seen.triggerMetadata.lockToken).toBe("string");
    expect(Date.parse(seen.triggerMetadata.enqueuedTimeUtc as string)).not.toBeNaN();

    const receiver = client.createReceiver("notifications", { receiveMode: "receiveAndDelete" });
    const out = await receiver.receiveMessages(2, { maxWaitTimeInMs: 5000 });
    await receiver.close();
    // Bodies travel as data sections: the SDK hands JSON back parsed and other text as bytes.
    const bodies = out.map((m) => (m.body instanceof Uint8Array ? Buffer.from(m.body).toString("utf8") : m.body));
    expect(bodies).toEqual([{ orderId: 1, status: "confirmed" }, "order 1 confirmed"]);
    expect(out[0].contentType).toBe("application/json");

    const peeker = client.createReceiver("orders");
    expect(await peeker.peekMessages(10)).toHaveLength(0);
    await peeker.close();
  });

  it("abandons the message when the function throws, so MaxDeliveryCount dead-letters it", async () => {
    const after = host.invocations.length;
    const second = host.nextInvocation("sb-order", after).then((r) => host.nextInvocation("sb-order", host.invocations.indexOf(r) + 1));
    await send("orders", { body: { orderId: 2, fail: true }, messageId: "order-2" });
    const last = await second;
    expect(last.outcome).toBe("failed");
    const attempts = (await seenMessages("sb-order")).filter((m) => m.triggerMetadata.messageId === "order-2");
    expect(attempts.map((a) => a.triggerMetadata.deliveryCount)).toEqual([1, 2]);

    const dlq = client.createReceiver("orders", { subQueueType: "deadLetter", receiveMode: "receiveAndDelete" });
    const [dead] = await dlq.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    await dlq.close();
    expect(dead?.messageId).toBe("order-2");
    expect(dead?.deadLetterReason).toBe("MaxDeliveryCountExceeded");
  });
});

describe("autoCompleteMessages: false", () => {
  it("leaves the message locked; when the lock expires on the emulator clock it is delivered again", async () => {
    const first = host.nextInvocation("sb-manual");
    await send("manual", { body: "settle me", messageId: "m-1" });
    const r1 = await first;
    const again = host.nextInvocation("sb-manual", host.invocations.indexOf(r1) + 1);
    emulator.clock.advance(31_000);
    await again;
    const runs = await seenMessages("sb-manual");
    expect(runs.map((r) => [r.message, r.triggerMetadata.deliveryCount])).toEqual([
      ["settle me", 1],
      ["settle me", 2],
    ]);
  });
});

describe("Service Bus triggers with batches and topics", () => {
  it("hands a batch to a cardinality 'many' function as an array, with <Name>Array metadata", async () => {
    await send("orders-batch", [
      { body: { n: 1 }, messageId: "b1" },
      { body: "plain text", messageId: "b2" },
      { body: Buffer.from('{"n":3}'), messageId: "b3" },
    ]);
    // The first message may start a batch of its own before the others arrive: gather every batch seen.
    let batches: SeenMessage[] = [];
    let received: unknown[] = [];
    let ids: unknown[] = [];
    for (const deadline = Date.now() + 10_000; received.length < 3 && Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
      batches = await seenMessages("sb-batch");
      received = batches.flatMap((b) => b.message as unknown[]);
      ids = batches.flatMap((b) => b.triggerMetadata.messageIdArray as unknown[]);
    }
    expect(batches.every((b) => Array.isArray(b.message) && Array.isArray(b.triggerMetadata.messageIdArray))).toBe(true);
    expect(received).toEqual([{ n: 1 }, "plain text", { n: 3 }]);
    expect(ids).toEqual(["b1", "b2", "b3"]);
  });

  it("receives from a topic subscription", async () => {
    const done = host.nextInvocation("sb-audit");
    await send("tickets", { body: { ticket: "T-1" }, messageId: "t-1" });
    await done;
    const [seen] = await seenMessages("sb-audit");
    expect(seen.message).toEqual({ ticket: "T-1" });
    expect(seen.triggerMetadata.messageId).toBe("t-1");
  });
});
