import { isServiceBusError, type ServiceBusClient, type ServiceBusReceivedMessage } from "@azure/service-bus";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Emulator } from "../../../emulator/index.js";
import { serviceBusClient, serviceBusConfig, startServiceBusEmulator } from "../../helpers/servicebus.js";

let emulator: Emulator;
let client: ServiceBusClient;

beforeAll(async () => {
  emulator = await startServiceBusEmulator(
    serviceBusConfig([
      { Name: "single" },
      { Name: "batches" },
      { Name: "subscribe" },
      { Name: "delete-mode" },
      { Name: "peek" },
      { Name: "small", Properties: { MaxMessageSizeInKilobytes: 4 } },
      { Name: "default-size" },
    ]),
  );
  client = serviceBusClient(emulator);
});

afterAll(async () => {
  await client?.close();
  await emulator?.close();
});

async function drain(queue: string, expected: number): Promise<ServiceBusReceivedMessage[]> {
  const receiver = client.createReceiver(queue, { receiveMode: "receiveAndDelete" });
  const got: ServiceBusReceivedMessage[] = [];
  while (got.length < expected) {
    const batch = await receiver.receiveMessages(expected - got.length, { maxWaitTimeInMs: 2000 });
    if (batch.length === 0) break;
    got.push(...batch);
  }
  await receiver.close();
  return got;
}

describe("Service Bus send and receive", () => {
  it("sends one message and receives it in peekLock, then complete removes it", async () => {
    const sender = client.createSender("single");
    await sender.sendMessages({ body: { hello: "world" }, subject: "greeting", contentType: "application/json", correlationId: "c-1" });
    const receiver = client.createReceiver("single");
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    expect(message.body).toEqual({ hello: "world" });
    expect(message.subject).toBe("greeting");
    expect(message.contentType).toBe("application/json");
    expect(message.correlationId).toBe("c-1");
    expect(message.deliveryCount).toBe(0);
    expect(message.sequenceNumber?.toNumber()).toBe(1);
    expect(typeof message.messageId).toBe("string");
    expect(message.lockedUntilUtc!.getTime()).toBeGreaterThan(Date.now());
    await receiver.completeMessage(message);
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 })).toHaveLength(0);
    await receiver.close();
    await sender.close();
  });

  it("sends batches: createMessageBatch, an array, and an empty batch", async () => {
    const sender = client.createSender("batches");
    const batch = await sender.createMessageBatch();
    expect(batch.maxSizeInBytes).toBe(256 * 1024);
    for (let i = 0; i < 5; i++) expect(batch.tryAddMessage({ body: `batch-${i}` })).toBe(true);
    await sender.sendMessages(batch);
    await sender.sendMessages([{ body: "array-0" }, { body: "array-1" }]);
    await sender.sendMessages(await sender.createMessageBatch());
    const bodies = (await drain("batches", 7)).map((m) => m.body);
    expect(bodies).toEqual(["batch-0", "batch-1", "batch-2", "batch-3", "batch-4", "array-0", "array-1"]);
    await sender.close();
  });

  it("delivers to subscribe() and completes automatically", async () => {
    const sender = client.createSender("subscribe");
    await sender.sendMessages(Array.from({ length: 20 }, (_, i) => ({ body: i })));
    const receiver = client.createReceiver("subscribe");
    const seen: number[] = [];
    let sub: { close(): Promise<void> } | undefined;
    await new Promise<void>((resolve, reject) => {
      sub = receiver.subscribe(
        {
          processMessage: async (m) => {
            seen.push(m.body as number);
            if (seen.length === 20) resolve();
          },
          processError: async (args) => reject(args.error),
        },
        { maxConcurrentCalls: 5 },
      );
    });
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    // autoComplete settles each message just after its handler returns.
    await vi.waitFor(() => expect(emulator.serviceBus.namespace.resolve("subscribe")!.store!.messageCount).toBe(0));
    await sub!.close();
    await receiver.close();
    await sender.close();
  });

  it("receiveAndDelete removes messages as they are delivered", async () => {
    const sender = client.createSender("delete-mode");
    await sender.sendMessages([{ body: "a" }, { body: "b" }]);
    const got = await drain("delete-mode", 2);
    expect(got.map((m) => m.body)).toEqual(["a", "b"]);
    expect(got[0].lockToken).toBeUndefined();
    expect(emulator.serviceBus.namespace.resolve("delete-mode")!.store!.messageCount).toBe(0);
    await sender.close();
  });

  it("peekMessages reads without locking, page by page, and finds nothing past the end", async () => {
    const sender = client.createSender("peek");
    await sender.sendMessages([{ body: "p0" }, { body: "p1" }, { body: "p2" }]);
    const receiver = client.createReceiver("peek");
    const first = await receiver.peekMessages(2);
    const second = await receiver.peekMessages(2);
    expect(first.map((m) => m.body)).toEqual(["p0", "p1"]);
    expect(second.map((m) => m.body)).toEqual(["p2"]);
    expect(await receiver.peekMessages(2)).toEqual([]);
    const fromStart = await receiver.peekMessages(10, { fromSequenceNumber: first[0].sequenceNumber });
    expect(fromStart).toHaveLength(3);
    const received = await receiver.receiveMessages(3, { maxWaitTimeInMs: 2000 });
    expect(received).toHaveLength(3);
    await receiver.close();
    await sender.close();
  });

  it("refuses a message over the entity's size limit with MessageSizeExceeded", async () => {
    const sender = client.createSender("small");
    const error = await sender.sendMessages({ body: Buffer.alloc(8 * 1024) }).catch((e: unknown) => e);
    expect(isServiceBusError(error) && error.code).toBe("MessageSizeExceeded");
    await sender.sendMessages({ body: Buffer.alloc(1024) });
    expect(await drain("small", 1)).toHaveLength(1);
    await sender.close();
  });

  it("has a 256 KB limit by default", async () => {
    const sender = client.createSender("default-size");
    const error = await sender.sendMessages({ body: Buffer.alloc(300 * 1024) }).catch((e: unknown) => e);
    expect(isServiceBusError(error) && error.code).toBe("MessageSizeExceeded");
    await sender.sendMessages({ body: Buffer.alloc(200 * 1024) });
    const [m] = await drain("default-size", 1);
    expect((m.body as Buffer).length).toBe(200 * 1024);
    await sender.close();
  });
});
