/**
 * A cardinality 'many' function's host closes while a batch runs and more messages wait for the next one: the
 * waiting messages are let go unsettled (their locks lapse and Service Bus delivers them again), so the close does
 * not wait on them, and nothing is lost: a batch the close interrupts is not settled either.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../../../emulator/index.js";
import { serviceBusClient, serviceBusConfig, startServiceBusEmulator } from "../../helpers/servicebus.js";
import { startFixtureHost } from "./start-fixture-host.js";

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startServiceBusEmulator(serviceBusConfig([{ Name: "orders-batch", Properties: { LockDuration: "PT5S" } }], []));
});
afterAll(async () => {
  await emulator?.close();
});

describe("Service Bus batch trigger shutdown", () => {
  it("closes promptly with a batch running and messages waiting, and the waiting messages stay in the queue", async () => {
    const host = await startFixtureHost({
      clock: emulator.clock,
      env: { ServiceBusConnection: emulator.serviceBus.connectionString, "AzureWebJobs.sb-batch.Disabled": "false" },
    });
    const client = serviceBusClient(emulator);
    const sender = client.createSender("orders-batch");
    try {
      await sender.sendMessages({ body: { sleepMs: 1500 }, messageId: "slow" });
      // The slow batch has started once the host fetched it; the rest arrive while it runs.
      for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 20))) {
        const seen = (await (await fetch(`${host.url}/api/inspect`)).json()) as { messages: { functionName: string }[] };
        if (seen.messages.some((m) => m.functionName === "sb-batch")) break;
      }
      await sender.sendMessages(Array.from({ length: 20 }, (_, i) => ({ body: { n: i }, messageId: `waiting-${i}` })));
      await new Promise((r) => setTimeout(r, 200));

      const started = Date.now();
      await host.close();
      expect(Date.now() - started).toBeLessThan(10_000);

      // Nothing was settled during the close: every message is still there, to be delivered again.
      const receiver = client.createReceiver("orders-batch", { receiveMode: "peekLock" });
      const left = await receiver.peekMessages(50);
      await receiver.close();
      expect(left.map((m) => m.messageId).sort()).toEqual(["slow", ...Array.from({ length: 20 }, (_, i) => `waiting-${i}`)].sort());
    } finally {
      await sender.close();
      await client.close();
    }
  }, 60_000);
});
