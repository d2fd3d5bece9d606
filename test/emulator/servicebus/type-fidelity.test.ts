import type { ServiceBusClient } from "@azure/service-bus";
import rhea from "rhea";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../../../emulator/index.js";
import { rawAmqpConnection, serviceBusClient, serviceBusConfig, startServiceBusEmulator } from "../../helpers/servicebus.js";

const types = (rhea as any).types;
let emulator: Emulator;
let client: ServiceBusClient;
let raw: Awaited<ReturnType<typeof rawAmqpConnection>>;

beforeAll(async () => {
  emulator = await startServiceBusEmulator(serviceBusConfig([{ Name: "typed" }, { Name: "sdk-values" }]));
  client = serviceBusClient(emulator);
  raw = await rawAmqpConnection(emulator.serviceBus.port);
});

afterAll(async () => {
  raw?.close();
  await client?.close();
  await emulator?.close();
});

function rawSend(address: string, message: object): Promise<void> {
  return new Promise((resolve, reject) => {
    const sender = raw.connection.open_sender({ target: { address } });
    sender.once("accepted", () => {
      sender.close();
      resolve();
    });
    sender.once("rejected", (c: any) => reject(new Error(c.delivery.remote_state?.error?.description)));
    sender.once("sendable", () => sender.send(message));
  });
}

/** The first message of a queue as the emulator encodes it, through a raw `$management` peek. */
function rawPeek(queue: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const replyTo = `peek-reply-${queue}`;
    const receiver = raw.connection.open_receiver({ source: { address: `${queue}/$management` }, target: { address: replyTo } });
    const sender = raw.connection.open_sender({ target: { address: `${queue}/$management` } });
    receiver.once("message", (c: any) => {
      const status = c.message.application_properties?.statusCode;
      if (status !== 200) reject(new Error(`peek failed: ${status}`));
      else resolve(c.message.body.messages[0].message as Buffer);
      sender.close();
      receiver.close();
    });
    sender.once("sendable", () =>
      sender.send({
        message_id: "peek-1",
        reply_to: replyTo,
        application_properties: { operation: "com.microsoft:peek-message" },
        body: { "from-sequence-number": types.wrap_long(1), "message-count": types.wrap_int(1) },
      }),
    );
  });
}

/** Section code -> decoded typed value, from encoded message bytes. */
function sections(bytes: Buffer): Map<number, any> {
  const reader = new types.Reader(bytes);
  const out = new Map<number, any>();
  while (reader.remaining() > 0) {
    const section = reader.read();
    out.set(section.descriptor.value, section);
  }
  return out;
}

function typedProperties(section: any): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < section.value.length; i += 2) out[section.value[i].value] = section.value[i + 1].type.name;
  return out;
}

describe("Service Bus type fidelity", () => {
  it("keeps the AMQP type of every application property and of a binary message id", async () => {
    const id = Buffer.from("0102030405", "hex");
    const when = new Date("2026-01-02T03:04:05.678Z");
    await rawSend("typed", {
      message_id: types.wrap_binary(id),
      application_properties: {
        anInt: types.Int(70000),
        aSmallInt: types.wrap_int(5),
        aLong: types.Long(7),
        aShort: types.Short(-3),
        aDouble: types.Double(2),
        aFloat: types.Float(1.5),
        aBool: true,
        aString: "text",
        aDate: when,
        aBinary: types.wrap_binary(Buffer.from([1, 2, 3])),
        aUuid: types.wrap_uuid(Buffer.alloc(16, 7)),
      },
      body: "typed body",
    });

    const delivered = sections(await rawPeek("typed"));
    expect(typedProperties(delivered.get(0x74))).toEqual({
      anInt: "Int",
      aSmallInt: "SmallInt",
      aLong: "Long",
      aShort: "Short",
      aDouble: "Double",
      aFloat: "Float",
      aBool: "True",
      aString: "Str8",
      aDate: "Timestamp",
      aBinary: "Vbin8",
      aUuid: "Uuid",
    });
    expect(delivered.get(0x73).value[0].type.name).toBe("Vbin8");

    const receiver = client.createReceiver("typed");
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    expect(Buffer.from(message.messageId as Buffer).equals(id)).toBe(true);
    expect(message.applicationProperties).toMatchObject({ anInt: 70000, aSmallInt: 5, aLong: 7, aShort: -3, aDouble: 2, aFloat: 1.5, aBool: true, aString: "text" });
    // The wire type is a timestamp (checked above); the SDK hands timestamps to users as epoch numbers.
    expect(Number(message.applicationProperties!.aDate)).toBe(when.getTime());
    expect(Object.values(message.applicationProperties!.aBinary as object)).toEqual([1, 2, 3]);
    expect(message.body).toBe("typed body");
    // Abandon with a property change rewrites application properties but keeps the others' types.
    await receiver.abandonMessage(message, { added: "yes" });
    const again = sections(await rawPeek("typed"));
    expect(typedProperties(again.get(0x74))).toMatchObject({ anInt: "Int", aLong: "Long", aDouble: "Double", added: "Str8" });
    await receiver.close();
  });

  it("gives SDK senders back the same JS values they sent", async () => {
    const sender = client.createSender("sdk-values");
    // (The SDK itself turns Date properties into numbers before sending, so a Date comes back as its number.)
    const date = new Date("2025-05-05T05:05:05.005Z");
    const sent = { int: 5, negative: -3, big: 2 ** 40, double: 2.5, bool: false, str: "s", date };
    await sender.sendMessages({ body: { nested: [1, "two"] }, messageId: "id-1", applicationProperties: sent, timeToLive: 120_000 });
    const receiver = client.createReceiver("sdk-values", { receiveMode: "receiveAndDelete" });
    const [m] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    expect(m.messageId).toBe("id-1");
    expect(m.body).toEqual({ nested: [1, "two"] });
    expect(m.timeToLive).toBe(120_000);
    expect(m.applicationProperties).toEqual({ ...sent, date: date.getTime() });
    await receiver.close();
    await sender.close();
  });
});
