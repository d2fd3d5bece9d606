/**
 * The `$cbs` put-token checks the namespace a token was minted for: the emulator's key is well known, so a token for
 * `sb://other.servicebus.windows.net/q1` signed with it must still be refused, while every name an unchanged SDK signs
 * for here (localhost, 127.0.0.1, the host it addressed, the namespace's name) is accepted.
 */
import rhea from "rhea";
import { ServiceBusClient } from "@azure/service-bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../../../emulator/index.js";
import { sasToken, serviceBusConfig, startServiceBusEmulator } from "../../helpers/servicebus.js";

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startServiceBusEmulator(serviceBusConfig([{ Name: "q1" }]));
});

afterAll(async () => {
  await emulator?.close();
});

/** Opens a connection (announcing `hostname` in its open frame) and sends one put-token; resolves with the answer. */
async function putToken(audience: string, hostname = "127.0.0.1"): Promise<{ status: number; description: string }> {
  const container = (rhea as any).create_container();
  container.on("error", () => undefined);
  const port = emulator.serviceBus.port;
  const connection = container.connect({ host: "127.0.0.1", hostname, port, reconnect: false });
  connection.on("connection_error", () => undefined);
  connection.on("disconnected", () => undefined);
  try {
    await new Promise((resolve) => connection.once("connection_open", resolve));
    const cbs = { address: "$cbs" };
    const receiver = connection.open_receiver({ name: "cbs-reply", source: cbs, target: cbs });
    const sender = connection.open_sender({ target: { address: "$cbs" } });
    const answer = new Promise<any>((resolve) => receiver.once("message", (c: any) => resolve(c.message)));
    sender.once("sendable", () =>
      sender.send({
        message_id: 1,
        reply_to: "cbs-reply",
        application_properties: { operation: "put-token", name: audience, type: "servicebus.windows.net:sastoken" },
        body: sasToken(audience),
      }),
    );
    const message = await answer;
    const props = message.application_properties;
    return { status: props["status-code"], description: String(props["status-description"]) };
  } finally {
    connection.close();
  }
}

describe("put-token checks which namespace the token's audience names", () => {
  it("refuses a token for another namespace even when it is signed with the well-known key", async () => {
    const answer = await putToken("sb://other.servicebus.windows.net/q1");
    expect(answer.status).toBe(401);
    expect(answer.description).toMatch(/InvalidAudience.*other\.servicebus\.windows\.net/);
  });

  it("refuses another namespace's token even when the client announces that host in its open frame", async () => {
    // A host under an Azure Service Bus suffix is a real namespace, whatever the client claims to have addressed.
    const answer = await putToken("sb://other.servicebus.windows.net/q1", "other.servicebus.windows.net");
    expect(answer.status).toBe(401);
  });

  it.each([
    ["localhost with the port", () => `sb://localhost:${emulator.serviceBus.port}/q1`],
    ["127.0.0.1", () => "sb://127.0.0.1/q1"],
    ["[::1]", () => "sb://[::1]:5672/q1"],
    ["the namespace's name", () => "sb://sbemulatorns.servicebus.windows.net/q1"],
    ["the host the client addressed", () => "amqps://host.docker.internal/q1"],
  ])("accepts a token for %s", async (_, audience) => {
    const answer = await putToken(audience(), "host.docker.internal");
    expect(answer).toMatchObject({ status: 202 });
  });

  it("still lets the unchanged SDK send and receive with the emulator's connection string", async () => {
    const client = new ServiceBusClient(emulator.serviceBus.connectionString);
    try {
      const sender = client.createSender("q1");
      await sender.sendMessages({ body: "still in" });
      const receiver = client.createReceiver("q1", { receiveMode: "receiveAndDelete" });
      const [m] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
      expect(m.body).toBe("still in");
    } finally {
      await client.close();
    }
  });
});
