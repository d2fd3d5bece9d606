import { isServiceBusError, type ServiceBusClient, type ServiceBusMessage } from "@azure/service-bus";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Emulator } from "../../../emulator/index.js";
import { serviceBusClient, serviceBusConfig, startServiceBusEmulator, sendWith } from "../../helpers/servicebus.js";

let emulator: Emulator;
let client: ServiceBusClient;
const LOCK_MS = 30_000;
const session = { RequiresSession: true, LockDuration: "PT30S" };

beforeAll(async () => {
  emulator = await startServiceBusEmulator(
    serviceBusConfig(
      ["fifo", "state", "lock", "expiry", "second", "next", "next-wait", "next-closed", "no-session", "peek", "plain"].map((Name) => ({
        Name,
        Properties: Name === "plain" ? {} : session,
      })),
      [{ Name: "orders", Subscriptions: [{ Name: "by-customer", Properties: session }] }],
    ),
  );
  client = serviceBusClient(emulator);
});

afterAll(async () => {
  await client?.close();
  await emulator?.close();
});

const send = (entity: string, messages: ServiceBusMessage[]) => sendWith(client, entity, messages);

const codeOf = (err: unknown) => (isServiceBusError(err) ? err.code : String(err));
/** Session receivers without automatic lock renewal, so only the emulator clock moves session locks. */
const noRenew = { maxAutoLockRenewalDurationInMs: 0 };

describe("Service Bus sessions", () => {
  it("acceptSession receives only its session's messages, in order", async () => {
    await send("fifo", [
      { body: "a1", sessionId: "a" },
      { body: "b1", sessionId: "b" },
      { body: "a2", sessionId: "a" },
      { body: "b2", sessionId: "b" },
      { body: "a3", sessionId: "a" },
    ]);
    const receiver = await client.acceptSession("fifo", "a", noRenew);
    expect(receiver.sessionId).toBe("a");
    expect(receiver.sessionLockedUntilUtc!.getTime()).toBeGreaterThan(emulator.clock.now() + LOCK_MS - 5_000);
    const messages = await receiver.receiveMessages(10, { maxWaitTimeInMs: 1000 });
    expect(messages.map((m) => m.body)).toEqual(["a1", "a2", "a3"]);
    expect(messages.every((m) => m.sessionId === "a")).toBe(true);
    for (const m of messages) await receiver.completeMessage(m);
    await receiver.close();
    const b = await client.acceptSession("fifo", "b", noRenew);
    expect((await b.receiveMessages(10, { maxWaitTimeInMs: 1000 })).map((m) => m.body)).toEqual(["b1", "b2"]);
    await b.close();
  });

  it("an abandoned session message comes back first, before later messages of the session", async () => {
    await send("fifo", [
      { body: "c1", sessionId: "c" },
      { body: "c2", sessionId: "c" },
    ]);
    const receiver = await client.acceptSession("fifo", "c", noRenew);
    const [first] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 1000 });
    await receiver.abandonMessage(first);
    const again = await receiver.receiveMessages(2, { maxWaitTimeInMs: 1000 });
    expect(again.map((m) => [m.body, m.deliveryCount])).toEqual([
      ["c1", 1],
      ["c2", 0],
    ]);
    for (const m of again) await receiver.completeMessage(m);
    await receiver.close();
  });

  it("getSessionState / setSessionState keep a session's state across receivers", async () => {
    const receiver = await client.acceptSession("state", "s1", noRenew);
    expect(await receiver.getSessionState()).toBeNull();
    await receiver.setSessionState({ step: 3, items: ["x"] });
    expect(await receiver.getSessionState()).toEqual({ step: 3, items: ["x"] });
    await receiver.close();
    const later = await client.acceptSession("state", "s1", noRenew);
    expect(await later.getSessionState()).toEqual({ step: 3, items: ["x"] });
    await later.setSessionState(null);
    expect(await later.getSessionState()).toBeNull();
    await later.close();
  });

  it("renewSessionLock moves the session lock forward on the emulator clock", async () => {
    await send("lock", [{ body: "l", sessionId: "l" }]);
    const receiver = await client.acceptSession("lock", "l", noRenew);
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 1000 });
    emulator.clock.advance(LOCK_MS - 5_000);
    const renewed = await receiver.renewSessionLock();
    expect(renewed.getTime()).toBeGreaterThanOrEqual(emulator.clock.now() + LOCK_MS - 1_000);
    emulator.clock.advance(LOCK_MS - 5_000);
    // Without the renewal the session lock would have expired by now.
    await receiver.completeMessage(message);
    await receiver.close();
  });

  it("an expired session lock detaches the receiver; settling then fails with SessionLockLost and the message returns", async () => {
    await send("expiry", [{ body: "e", sessionId: "e" }]);
    const receiver = await client.acceptSession("expiry", "e", noRenew);
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 1000 });
    emulator.clock.advance(LOCK_MS + 1);
    // The emulator detaches the link at once; the SDK sees it when the detach frame arrives.
    await vi.waitFor(() => expect(receiver.isClosed).toBe(true), { timeout: 5000, interval: 10 });
    const lost = await receiver.completeMessage(message).catch((e: unknown) => e);
    expect(codeOf(lost)).toBe("SessionLockLost");
    await receiver.close();
    const again = await client.acceptSession("expiry", "e", noRenew);
    const [redelivered] = await again.receiveMessages(1, { maxWaitTimeInMs: 1000 });
    expect(redelivered.body).toBe("e");
    expect(redelivered.deliveryCount).toBe(1);
    await again.completeMessage(redelivered);
    await again.close();
  });

  it("a second receiver for a locked session gets SessionCannotBeLocked", async () => {
    const first = await client.acceptSession("second", "x", noRenew);
    const refused = await client.acceptSession("second", "x", noRenew).catch((e: unknown) => e);
    expect(codeOf(refused)).toBe("SessionCannotBeLocked");
    await first.close();
    const after = await client.acceptSession("second", "x", noRenew);
    expect(after.sessionId).toBe("x");
    await after.close();
  });

  it("acceptNextSession takes the unlocked session with the oldest message, and skips locked ones", async () => {
    await send("next", [
      { body: "n1", sessionId: "first" },
      { body: "n2", sessionId: "second" },
    ]);
    const a = await client.acceptNextSession("next", noRenew);
    expect(a.sessionId).toBe("first");
    const b = await client.acceptNextSession("next", noRenew);
    expect(b.sessionId).toBe("second");
    expect((await b.receiveMessages(1, { maxWaitTimeInMs: 1000 }))[0].body).toBe("n2");
    await a.close();
    await b.close();
  });

  it("acceptNextSession waits for a session and fails with ServiceTimeout when none comes", async () => {
    const quick = serviceBusClient(emulator, { retryOptions: { maxRetries: 0, timeoutInMs: 1500 } });
    const started = Date.now();
    const none = await quick.acceptNextSession("next-wait", noRenew).catch((e: unknown) => e);
    expect(codeOf(none)).toBe("ServiceTimeout");
    expect(Date.now() - started).toBeLessThan(5000);
    // A message arriving while the receiver waits is handed to it.
    const waiting = quick.acceptNextSession("next-wait", noRenew);
    await send("next-wait", [{ body: "late", sessionId: "late" }]);
    const receiver = await waiting;
    expect(receiver.sessionId).toBe("late");
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 1000 });
    expect(message.body).toBe("late");
    await receiver.completeMessage(message);
    await receiver.close();
    await quick.close();
  });

  it("a client that closes its connection while its acceptNextSession waits leaves no waiter to claim a later session", async () => {
    const gone = serviceBusClient(emulator);
    const abandoned = gone.acceptNextSession("next-closed", noRenew).catch(() => undefined);
    // The attach must reach the emulator (held back there) before the client closes its connection.
    const store = emulator.serviceBus.namespace.resolve("next-closed")!.store as unknown as { sessions: { hasWaiters: boolean } };
    await vi.waitFor(() => expect(store.sessions.hasWaiters).toBe(true));
    await gone.close();
    await abandoned;
    // As a Functions app restarted against a running emulator: the new receiver gets the next session at once.
    const live = serviceBusClient(emulator, { retryOptions: { maxRetries: 0, timeoutInMs: 3000 } });
    const waiting = live.acceptNextSession("next-closed", noRenew);
    await send("next-closed", [{ body: "after-restart", sessionId: "s1" }]);
    const receiver = await waiting;
    expect(receiver.sessionId).toBe("s1");
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 1000 });
    expect(message.body).toBe("after-restart");
    await receiver.completeMessage(message);
    await receiver.close();
    await live.close();
  });

  it("sending without a session id to a session queue is refused, and nothing of the batch is kept", async () => {
    const sender = client.createSender("no-session");
    const refused = await sender.sendMessages([{ body: "with", sessionId: "w" }, { body: "without" }]).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toContain("The SessionId was not set on a message");
    await sender.close();
    const receiver = await client.acceptSession("no-session", "w", noRenew);
    expect(await receiver.peekMessages(10)).toHaveLength(0);
    await receiver.close();
  });

  it("a plain receiver on a session queue, or a session receiver on a plain queue, is refused", async () => {
    const plain = client.createReceiver("fifo");
    const refused = await plain.receiveMessages(1, { maxWaitTimeInMs: 1000 }).catch((e: unknown) => e);
    expect((refused as Error).message).toContain("requires sessions");
    await plain.close();
    // The SDK reports any refused acceptSession as SessionCannotBeLocked.
    const sessionful = await client.acceptSession("plain", "p", noRenew).catch((e: unknown) => e);
    expect(codeOf(sessionful)).toBe("SessionCannotBeLocked");
  });

  it("peekMessages on a session receiver shows only that session's messages", async () => {
    await send("peek", [
      { body: "p1", sessionId: "mine" },
      { body: "o1", sessionId: "other" },
      { body: "p2", sessionId: "mine" },
    ]);
    const receiver = await client.acceptSession("peek", "mine", noRenew);
    const peeked = await receiver.peekMessages(10);
    expect(peeked.map((m) => m.body)).toEqual(["p1", "p2"]);
    await receiver.close();
  });

  it("a session subscription groups the topic's messages by session; one without a session id is dead-lettered", async () => {
    await send("orders", [{ body: "o-1", sessionId: "cust-1" }, { body: "o-2", sessionId: "cust-2" }, { body: "nobody" }]);
    const receiver = await client.acceptSession("orders", "by-customer", "cust-2", noRenew);
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 1000 });
    expect(message.body).toBe("o-2");
    await receiver.completeMessage(message);
    await receiver.close();
    const dlq = client.createReceiver("orders", "by-customer", { subQueueType: "deadLetter", receiveMode: "receiveAndDelete" });
    const [dead] = await dlq.receiveMessages(1, { maxWaitTimeInMs: 1000 });
    expect(dead.body).toBe("nobody");
    expect(dead.deadLetterReason).toBe("Session id is null.");
    await dlq.close();
  });
});
