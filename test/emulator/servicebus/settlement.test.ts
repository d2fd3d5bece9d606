import { isServiceBusError, type ServiceBusClient } from "@azure/service-bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../../../emulator/index.js";
import { serviceBusClient, serviceBusConfig, startServiceBusEmulator } from "../../helpers/servicebus.js";

let emulator: Emulator;
let client: ServiceBusClient;
const LOCK_MS = 30_000;
const QUEUES = [
  "abandon", "dead-letter", "defer", "defer-dead-letter", "renew", "expiry", "max-delivery", "lost", "same-tick",
];

beforeAll(async () => {
  const props = { LockDuration: "PT30S", MaxDeliveryCount: 3 };
  emulator = await startServiceBusEmulator(
    serviceBusConfig(QUEUES.map((Name) => ({ Name, Properties: props }))),
  );
  client = serviceBusClient(emulator);
});

afterAll(async () => {
  await client?.close();
  await emulator?.close();
});

/** A peekLock receiver without automatic lock renewal, so only the emulator clock moves locks. */
const lockReceiver = (queue: string, subQueue?: "deadLetter") => client.createReceiver(queue, { maxAutoLockRenewalDurationInMs: 0, subQueueType: subQueue });

async function sendOne(queue: string, message: Parameters<ReturnType<ServiceBusClient["createSender"]>["sendMessages"]>[0]) {
  const sender = client.createSender(queue);
  await sender.sendMessages(message);
  await sender.close();
}

describe("Service Bus settlement", () => {
  it("abandonMessage with properties to modify redelivers with the new properties and deliveryCount + 1", async () => {
    await sendOne("abandon", { body: "a", applicationProperties: { keep: "yes", attempt: 0 } });
    const receiver = lockReceiver("abandon");
    const [first] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    await receiver.abandonMessage(first, { attempt: 1, reason: "busy" });
    const [second] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    expect(second.messageId).toBe(first.messageId);
    expect(second.deliveryCount).toBe(1);
    expect(second.applicationProperties).toEqual({ keep: "yes", attempt: 1, reason: "busy" });
    await receiver.completeMessage(second);
    await receiver.close();
  });

  it("deadLetterMessage moves the message to $DeadLetterQueue with reason and description", async () => {
    await sendOne("dead-letter", { body: "poison", applicationProperties: { order: 7 } });
    const receiver = lockReceiver("dead-letter");
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    await receiver.deadLetterMessage(message, { deadLetterReason: "BadOrder", deadLetterErrorDescription: "order 7 is invalid" });
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 })).toHaveLength(0);
    const dlq = lockReceiver("dead-letter", "deadLetter");
    const [dead] = await dlq.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    expect(dead.body).toBe("poison");
    expect(dead.deadLetterReason).toBe("BadOrder");
    expect(dead.deadLetterErrorDescription).toBe("order 7 is invalid");
    expect(dead.applicationProperties?.order).toBe(7);
    expect(dead.sequenceNumber!.toNumber()).toBe(message.sequenceNumber!.toNumber());
    // As on Azure: the delivery that dead-lettered the message is no failed attempt.
    expect(dead.deliveryCount).toBe(0);
    await dlq.completeMessage(dead);
    await dlq.close();
    await receiver.close();
  });

  it("deferMessage hides the message until receiveDeferredMessages, which can then complete it", async () => {
    await sendOne("defer", { body: "later" });
    const receiver = lockReceiver("defer");
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    await receiver.deferMessage(message);
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 })).toHaveLength(0);
    const [peeked] = await receiver.peekMessages(1, { fromSequenceNumber: message.sequenceNumber });
    expect(peeked.state).toBe("deferred");
    const [deferred] = await receiver.receiveDeferredMessages(message.sequenceNumber!);
    expect(deferred.body).toBe("later");
    expect(deferred.state).toBe("deferred");
    await receiver.completeMessage(deferred);
    expect(await receiver.peekMessages(1, { fromSequenceNumber: message.sequenceNumber })).toHaveLength(0);
    const missing = await receiver.receiveDeferredMessages(message.sequenceNumber!).catch((e: unknown) => e);
    expect(isServiceBusError(missing) && missing.code).toBe("MessageNotFound");
    await receiver.close();
  });

  it("a deferred message received again and dead-lettered has deliveryCount 1 in the dead-letter queue", async () => {
    await sendOne("defer-dead-letter", { body: "deferred then dead" });
    const receiver = lockReceiver("defer-dead-letter");
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    expect(message.deliveryCount).toBe(0);
    await receiver.deferMessage(message);
    const [deferred] = await receiver.receiveDeferredMessages(message.sequenceNumber!);
    expect(deferred.deliveryCount).toBe(1);
    await receiver.deadLetterMessage(deferred, { deadLetterReason: "GaveUp", deadLetterErrorDescription: "no" });
    const dlq = lockReceiver("defer-dead-letter", "deadLetter");
    const [dead] = await dlq.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    expect([dead.body, dead.deadLetterReason, dead.deliveryCount]).toEqual(["deferred then dead", "GaveUp", 1]);
    await dlq.completeMessage(dead);
    await dlq.close();
    await receiver.close();
  });

  it("renewMessageLock moves lockedUntilUtc forward on the emulator clock", async () => {
    await sendOne("renew", { body: "r" });
    const receiver = lockReceiver("renew");
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    const before = message.lockedUntilUtc!.getTime();
    emulator.clock.advance(LOCK_MS - 5_000);
    const renewed = await receiver.renewMessageLock(message);
    expect(renewed.getTime()).toBeGreaterThanOrEqual(before + LOCK_MS - 5_000);
    emulator.clock.advance(LOCK_MS - 5_000);
    // Without the renewal the lock would have expired by now.
    await receiver.completeMessage(message);
    await receiver.close();
  });

  it("an expired lock redelivers the message with deliveryCount + 1, and the old lock is lost", async () => {
    await sendOne("expiry", { body: "e" });
    const receiver = lockReceiver("expiry");
    const [first] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    expect(first.deliveryCount).toBe(0);
    emulator.clock.advance(LOCK_MS + 1);
    const [second] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    expect(second.messageId).toBe(first.messageId);
    expect(second.deliveryCount).toBe(1);
    const lost = await receiver.completeMessage(first).catch((e: unknown) => e);
    expect(isServiceBusError(lost) && lost.code).toBe("MessageLockLost");
    await receiver.completeMessage(second);
    await receiver.close();
  });

  it("answers each of two settlements made at once with its own outcome: a lost lock, then a completion", async () => {
    await sendOne("same-tick", [{ body: "lost" }, { body: "fresh" }]);
    const receiver = lockReceiver("same-tick");
    const [stale] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    emulator.clock.advance(LOCK_MS + 1);
    const redelivered = await receiver.receiveMessages(2, { maxWaitTimeInMs: 5000 });
    expect(redelivered).toHaveLength(2);
    // Settled in one tick, so their dispositions travel together: the second must not take the first's outcome.
    const outcome = (p: Promise<void>) => p.then(() => "completed", (e: unknown) => (isServiceBusError(e) ? e.code : e));
    const [lost, ...completed] = await Promise.all([
      outcome(receiver.completeMessage(stale)),
      ...redelivered.map((m) => outcome(receiver.completeMessage(m))),
    ]);
    expect(lost).toBe("MessageLockLost");
    expect(completed).toEqual(["completed", "completed"]);
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 })).toHaveLength(0);
    await receiver.close();
  });

  it("a message abandoned MaxDeliveryCount times goes to the dead-letter queue with MaxDeliveryCountExceeded", async () => {
    await sendOne("max-delivery", { body: "m" });
    const receiver = lockReceiver("max-delivery");
    for (let i = 0; i < 3; i++) {
      const [m] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
      expect(m.deliveryCount).toBe(i);
      await receiver.abandonMessage(m);
    }
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 })).toHaveLength(0);
    const dlq = lockReceiver("max-delivery", "deadLetter");
    const [dead] = await dlq.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    expect(dead.body).toBe("m");
    expect(dead.deadLetterReason).toBe("MaxDeliveryCountExceeded");
    expect(dead.deadLetterErrorDescription).toMatch(/3 delivery attempts/);
    expect(dead.deliveryCount).toBe(3);
    await dlq.completeMessage(dead);
    await dlq.close();
    await receiver.close();
  });

  it("settles through $management once the receive link is closed", async () => {
    await sendOne("lost", [{ body: "x" }, { body: "y" }]);
    const receiver = lockReceiver("lost");
    const messages = await receiver.receiveMessages(2, { maxWaitTimeInMs: 5000 });
    expect(messages).toHaveLength(2);
    await receiver.close();
    const other = lockReceiver("lost");
    await other.completeMessage(messages[0]);
    await other.abandonMessage(messages[1]);
    const [again] = await other.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    expect(again.body).toBe("y");
    await other.completeMessage(again);
    await other.close();
  });
});
