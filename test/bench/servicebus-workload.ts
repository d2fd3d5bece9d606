/**
 * What the Service Bus benchmarks do with the real SDK, the way an application would: send 1 KB JSON messages in
 * batches of 100, and receive + complete them in peekLock, with receiveMessages(100) or subscribe(). Each function
 * returns messages per second over its timed part only.
 */
import type { ServiceBusMessage, ServiceBusReceivedMessage, ServiceBusClient, ServiceBusSender } from "@azure/service-bus";
import { benchBody } from "./servicebus-null-sink.js";

export const batchSize = 100;

const plainMessage: ServiceBusMessage = { body: benchBody(), contentType: "application/json" };

async function sendBatch(sender: ServiceBusSender, count: number, message: ServiceBusMessage): Promise<void> {
  const batch = await sender.createMessageBatch();
  for (let i = 0; i < count; i++) {
    if (!batch.tryAddMessage(message)) throw new Error(`a batch of ${batchSize} 1 KB messages did not fit in ${batch.maxSizeInBytes} bytes`);
  }
  await sender.sendMessages(batch);
}

/** Sends `count` messages in batches of 100, one batch in flight at a time. */
export async function sendMessages(sender: ServiceBusSender, count: number, message = plainMessage): Promise<void> {
  for (let sent = 0; sent < count; sent += batchSize) await sendBatch(sender, Math.min(batchSize, count - sent), message);
}

/** Sends to a queue or topic; `message` defaults to the plain 1 KB JSON message. */
export async function sendRate(client: ServiceBusClient, queue: string, count: number, message = plainMessage): Promise<number> {
  const sender = client.createSender(queue);
  try {
    await sendMessages(sender, batchSize, message); // attach the link outside the timed part
    const started = performance.now();
    await sendMessages(sender, count, message);
    return (count * 1000) / (performance.now() - started);
  } finally {
    await sender.close();
  }
}

/** receiveMessages(100) in peekLock, completing each batch before asking for the next; count is a multiple of 100. */
export async function receiveBatchRate(client: ServiceBusClient, queue: string, count: number): Promise<number> {
  const receiver = client.createReceiver(queue, { receiveMode: "peekLock" });
  try {
    const started = performance.now();
    let received = 0;
    while (received < count) {
      const messages = await receiver.receiveMessages(Math.min(batchSize, count - received), { maxWaitTimeInMs: 10_000 });
      if (messages.length === 0) throw new Error(`receiveMessages returned nothing after ${received} of ${count} messages`);
      await Promise.all(messages.map((m) => receiver.completeMessage(m)));
      received += messages.length;
    }
    return (count * 1000) / (performance.now() - started);
  } finally {
    await receiver.close();
  }
}

/** subscribe() in peekLock with autoComplete; timed until the count-th message has been processed. */
export async function subscribeRate(client: ServiceBusClient, queue: string, count: number, maxConcurrentCalls: number): Promise<number> {
  const receiver = client.createReceiver(queue, { receiveMode: "peekLock" });
  try {
    let processed = 0;
    let failure: unknown;
    const started = performance.now();
    let finished = 0;
    await new Promise<void>((resolve, reject) => {
      const stall = setTimeout(() => reject(new Error(`subscribe stalled after ${processed} of ${count} messages`)), 30_000);
      receiver.subscribe(
        {
          processMessage: async (_m: ServiceBusReceivedMessage) => {
            if (++processed === count) {
              finished = performance.now();
              clearTimeout(stall);
              resolve();
            }
          },
          processError: async (args) => {
            failure ??= args.error;
          },
        },
        { autoCompleteMessages: true, maxConcurrentCalls },
      );
    });
    if (failure) throw failure;
    return (count * 1000) / (finished - started);
  } finally {
    await receiver.close();
  }
}
