import type { ServiceBusClient } from "@azure/service-bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../../../emulator/index.js";
import { serviceBusClient, serviceBusConfig, startServiceBusEmulator } from "../../helpers/servicebus.js";
import { startFixtureHost, type FixtureHost } from "./start-fixture-host.js";

let emulator: Emulator;
let client: ServiceBusClient;
let host: FixtureHost;

beforeAll(async () => {
  emulator = await startServiceBusEmulator(serviceBusConfig([{ Name: "sessions", Properties: { RequiresSession: true, LockDuration: "PT30S" } }]));
  client = serviceBusClient(emulator);
  host = await startFixtureHost({
    clock: emulator.clock,
    env: { ServiceBusConnection: emulator.serviceBus.connectionString, "AzureWebJobs.sb-session.Disabled": "false" },
  });
});
afterAll(async () => {
  await host?.close();
  await client?.close();
  await emulator?.close();
});

interface Seen {
  functionName: string;
  message: { step: number };
  triggerMetadata: { sessionId: string };
}

describe("Service Bus trigger with isSessionsEnabled", () => {
  it("handles two interleaved sessions side by side, each one message at a time and in order", async () => {
    const sender = client.createSender("sessions");
    const messages = [1, 2, 3].flatMap((step) =>
      ["fan-a", "fan-b"].map((sessionId) => ({ body: { step }, sessionId, messageId: `${sessionId}-${step}`, correlationId: `corr-${sessionId}-${step}` })),
    );
    await sender.sendMessages(messages);
    await sender.close();

    while (host.invocations.filter((r) => r.functionName === "sb-session").length < 6) await host.nextInvocation("sb-session", host.invocations.length);
    const records = host.invocations.filter((r) => r.functionName === "sb-session");
    expect(records.every((r) => r.outcome === "succeeded")).toBe(true);
    // The host logs each invocation with the message's CorrelationId.
    expect(records.map((r) => r.correlationId).sort()).toEqual(messages.map((m) => m.correlationId).sort());

    const seen = ((await (await fetch(`${host.url}/api/inspect`)).json()) as { messages: Seen[] }).messages.filter((m) => m.functionName.startsWith("sb-session"));
    for (const sessionId of ["fan-a", "fan-b"]) {
      // Start and end of each message of the session: never two at once, steps in the order sent.
      const trail = seen.filter((m) => m.triggerMetadata.sessionId === sessionId).map((m) => `${m.functionName.endsWith(":done") ? "done" : "start"} ${m.message.step}`);
      expect(trail, sessionId).toEqual(["start 1", "done 1", "start 2", "done 2", "start 3", "done 3"]);
    }
    // The sessions ran side by side: both first messages started before either had finished.
    const firstDone = seen.findIndex((m) => m.functionName.endsWith(":done"));
    expect(seen.slice(0, firstDone).map((m) => `${m.triggerMetadata.sessionId} ${m.message.step}`).sort()).toEqual(["fan-a 1", "fan-b 1"]);
    // Each message ran once: completed, not redelivered.
    expect(records).toHaveLength(6);
  });
});
