/**
 * Service Bus SDK bindings under the local host, with the real worker extension (@azure/functions-extensions-
 * servicebus 0.2.0-preview) and the real SDK: the function gets ServiceBusReceivedMessage objects and settles them
 * itself through the host's gRPC settlement service (autoCompleteMessages: false), for a queue, a topic
 * subscription, a batch trigger and a session trigger. What a user checks is where each message ends up.
 */
import type { ServiceBusClient, ServiceBusReceivedMessage } from "@azure/service-bus";
import Long from "long";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../../../emulator/index.js";
import { sendWith, serviceBusClient, serviceBusConfig, startServiceBusEmulator } from "../../helpers/servicebus.js";
import { startFixtureHost, type FixtureHost } from "./start-fixture-host.js";

let emulator: Emulator;
let client: ServiceBusClient;
let host: FixtureHost;

const FUNCTIONS = ["sb-settle-queue", "sb-settle-topic", "sb-settle-batch", "sb-settle-session"];

beforeAll(async () => {
  const props = { LockDuration: "PT30S", MaxDeliveryCount: 10 };
  emulator = await startServiceBusEmulator(
    serviceBusConfig(
      [
        { Name: "settle", Properties: props },
        { Name: "settle-batch", Properties: props },
        { Name: "settle-sessions", Properties: { ...props, RequiresSession: true } },
      ],
      [{ Name: "settle-topic", Subscriptions: [{ Name: "app", Properties: props }] }],
    ),
  );
  client = serviceBusClient(emulator);
  host = await startFixtureHost({
    clock: emulator.clock,
    env: {
      ServiceBusConnection: emulator.serviceBus.connectionString,
      ...Object.fromEntries(FUNCTIONS.map((name) => [`AzureWebJobs.${name}.Disabled`, "false"])),
    },
  });
});
afterAll(async () => {
  await host?.close();
  await client?.close();
  await emulator?.close();
});

interface Settled {
  functionName: string;
  message: { id: string; action: string };
  triggerMetadata: {
    action: string;
    outcome: unknown;
    sequenceNumber?: string;
    sessionId?: string;
    applicationProperties?: Record<string, unknown>;
  };
}

async function settledRecords(): Promise<Settled[]> {
  const seen = (await (await fetch(`${host.url}/api/inspect`)).json()) as { messages: Settled[] };
  return seen.messages.filter((m) => FUNCTIONS.includes(m.functionName));
}

/** Polls what the functions recorded until `count` outcomes match for message ids starting with `prefix`. */
type Match = (outcome: unknown) => boolean;

async function outcomes(prefix: string, count: number, match: Match = (o) => o === "settled"): Promise<Settled[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const records = await settledRecords();
    const mine = records.filter((r) => r.message.id.startsWith(prefix) && match(r.triggerMetadata.outcome));
    if (mine.length >= count) return mine;
    if (Date.now() > deadline) throw new Error(`${prefix}: ${mine.length} of ${count}: ${JSON.stringify(records.filter((r) => r.message.id.startsWith(prefix)))}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const actions = ["complete", "abandon", "deadletter", "defer"] as const;

/** The four settlements, checked where a user would look: the entity, its dead-letter queue, the deferred message. */
type Entity = [string] | [string, string];

async function expectFourSettlements(prefix: string, entity: Entity, sessionId?: string): Promise<void> {
  // complete, deadletter, defer once each, and the abandoned message twice (abandoned, then completed).
  const records = await outcomes(prefix, 5);
  const byId = (action: string) => records.filter((r) => r.message.id === `${prefix}-${action}`);
  expect(byId("abandon").map((r) => r.triggerMetadata.action)).toEqual(["abandon", "complete"]);
  // The properties the function abandoned it with are on the message it gets back.
  expect(byId("abandon")[1].triggerMetadata.applicationProperties).toMatchObject({ abandonedBy: "fixture" });
  for (const action of ["complete", "deadletter", "defer"]) {
    expect(byId(action).map((r) => r.triggerMetadata.action)).toEqual([action]);
  }

  const dlqOptions = { subQueueType: "deadLetter" as const };
  const dlq =
    entity.length === 1
      ? client.createReceiver(entity[0], dlqOptions)
      : client.createReceiver(entity[0], entity[1], dlqOptions);
  const deadLetters = await dlq.receiveMessages(10, { maxWaitTimeInMs: 500 });
  await dlq.close();
  const mine = deadLetters.filter((m) => (m.body as { id: string }).id.startsWith(prefix));
  expect(mine.map((m) => [m.deadLetterReason, m.deadLetterErrorDescription])).toEqual([
    [`Refused:${prefix}-deadletter`, `${prefix}-deadletter is refused for good`],
  ]);

  const sequenceNumber = byId("defer")[0].triggerMetadata.sequenceNumber as string;
  const receiver = sessionId
    ? await acceptWhenReleased(entity, sessionId)
    : entity.length === 1
      ? client.createReceiver(entity[0])
      : client.createReceiver(entity[0], entity[1]);
  try {
    const [deferred] = await receiver.receiveDeferredMessages(Long.fromString(sequenceNumber));
    expect((deferred?.body as { id: string }).id).toBe(`${prefix}-defer`);
    await receiver.completeMessage(deferred as ServiceBusReceivedMessage);
    // Nothing else is left: completed and dead-lettered messages are gone from the entity.
    const rest = await receiver.peekMessages(10);
    expect(rest.filter((m) => (m.body as { id: string }).id.startsWith(prefix))).toEqual([]);
  } finally {
    await receiver.close();
  }
}

/** The host lets a session go once the function released it; until then Service Bus refuses to lock it. */
async function acceptWhenReleased(entity: Entity, sessionId: string) {
  for (let attempt = 0; ; attempt++) {
    try {
      return entity.length === 1
        ? await client.acceptSession(entity[0], sessionId)
        : await client.acceptSession(entity[0], entity[1], sessionId);
    } catch (err) {
      if (attempt > 100) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

const json = (body: object, sessionId?: string) => ({
  body,
  contentType: "application/json",
  ...(sessionId ? { sessionId } : {}),
});
const bodies = (prefix: string, sessionId?: string) =>
  actions.map((action) => json({ id: `${prefix}-${action}`, action }, sessionId));

describe("Service Bus SDK bindings: the function settles its own messages", () => {
  it("completes, abandons, dead-letters with the app's reason and defers messages from a queue", async () => {
    await sendWith(client, "settle", bodies("queue"));
    await expectFourSettlements("queue", ["settle"]);
  });

  it("does the same for a topic subscription", async () => {
    await sendWith(client, "settle-topic", bodies("topic"));
    await expectFourSettlements("topic", ["settle-topic", "app"]);
  });

  it("does the same for each message of a batch (cardinality many)", async () => {
    await sendWith(client, "settle-batch", bodies("batch"));
    await expectFourSettlements("batch", ["settle-batch"]);
  });

  it("does the same in a session, and keeps the session state the function set", async () => {
    const state = json({ id: "state-fan-1", action: "sessionState" }, "fan-1");
    await sendWith(client, "settle-sessions", [...bodies("session", "fan-1"), state]);
    // The last message sets the session's state and releases the session, so the test can lock it.
    await outcomes("state-fan-1", 1);
    await expectFourSettlements("session", ["settle-sessions"], "fan-1");
    const receiver = await acceptWhenReleased(["settle-sessions"], "fan-1");
    try {
      expect(Buffer.from((await receiver.getSessionState()) as Uint8Array).toString()).toBe("state of fan-1");
    } finally {
      await receiver.close();
    }
  });

  it("refuses a lock token it does not hold with FAILED_PRECONDITION, as Azure's host does", async () => {
    await sendWith(client, "settle", json({ id: "stranger-1", action: "unknownLock" }));
    const [refused] = await outcomes("stranger-1", 1, (o) => typeof o === "object" && o !== null);
    const outcome = refused.triggerMetadata.outcome as { code: number; details: string };
    expect(outcome.code).toBe(9);
    expect(outcome.details).toMatch(/^LockToken [0-9a-f-]{36} not found\.$/);
    // Abandoned by the function, it comes back and is completed.
    expect((await outcomes("stranger-1", 1))[0].triggerMetadata.action).toBe("complete");
  });

  it("refuses a settlement after the lock expired, as Azure does (MessageLockLost); it comes back", async () => {
    await sendWith(client, "settle", json({ id: "late-1", action: "waitForClock" }));
    await outcomes("late-1", 1, (o) => o === "waiting");
    // The lock (30 s) lapses while the function still holds the message.
    emulator.clock.advance(31_000);
    const [failed] = await outcomes("late-1", 1, (o) => typeof o === "object" && o !== null);
    const outcome = failed.triggerMetadata.outcome as { code: number; details: string };
    // grpc status UNKNOWN carrying the Service Bus exception, as the extension's host answers on Azure.
    expect(outcome.code).toBe(2);
    expect(outcome.details).toContain("MessageLockLost");
    // Service Bus delivers it again; this time the function completes it.
    const second = await outcomes("late-1", 1);
    expect(second[0].triggerMetadata.action).toBe("complete");
  });
});
