/**
 * The send path's reading of messages from their section headers (AmqpPayload.received, receivedPayloads) must
 * keep exactly what the general parser keeps: the same header, annotations and bare bytes, a server-assigned
 * message id only where the sender gave none, and the same errors for malformed input.
 */
import rhea from "rhea";
import { describe, expect, it } from "vitest";
import { AmqpPayload } from "../../../emulator/servicebus/amqp/amqp-payload.js";
import { receivedPayloads } from "../../../emulator/servicebus/amqp/batch.js";
import { emptyLayout, scanMessage } from "../../../emulator/servicebus/amqp/message-scan.js";

const types = rhea.types as any;
const message = rhea.message as any;

const body = Buffer.from(JSON.stringify({ kind: "bench", payload: "x".repeat(1000) }));

/** Messages in the shapes senders produce, and some they rarely do. */
const samples: Record<string, Buffer> = {
  "SDK-like: empty annotations, properties without id, data body": message.encode({
    message_annotations: {},
    content_type: "application/json",
    body: message.data_section(body),
  }),
  "no properties at all": message.encode({ body: message.data_section(body) }),
  "string message id": message.encode({ message_id: "order-1", body: "hello" }),
  "binary message id": message.encode({ message_id: Buffer.from([1, 2, 3]), body: message.data_section(body) }),
  "long message id": message.encode({ message_id: types.wrap_ulong(42), body: "x" }),
  "ttl, priority, durable header": message.encode({ ttl: 5000, priority: 7, durable: true, body: "x" }),
  "message annotations with entries": message.encode({
    message_annotations: { "x-opt-partition-key": "pk", "x-opt-scheduled-enqueue-time": new Date(1_700_000_000_000) },
    body: message.data_section(body),
  }),
  "typed application properties and footer": message.encode({
    application_properties: { i: types.wrap_int(7), l: types.wrap_long(9), s: "text", b: true },
    footer: { f: "end" },
    body: message.data_section(body),
  }),
  "delivery annotations are dropped": message.encode({ delivery_annotations: { d: 1 }, subject: "s", body: "x" }),
  "sequence body": message.encode({ to: "q", body: message.sequence_section([1, "two"]) }),
  "many properties (list32 kept)": message.encode({
    to: "t".repeat(120),
    reply_to: "r".repeat(120),
    subject: "s".repeat(40),
    body: "x",
  }),
  // Properties with a ulong (0x80) descriptor: not the usual encoding, so it takes the general parser.
  "properties with a ulong descriptor": Buffer.concat([
    Buffer.from([0x00, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x73, 0xc0, 0x03, 0x02, 0x40, 0x40]),
    message.encode({ body: "x" }),
  ]),
};

/** The durable mode's stored form: header, sender annotations and bare bytes, with a server-assigned id masked. */
function stored(payload: AmqpPayload): string {
  const id = payload.system("MessageId");
  const bytes = payload.encode(0, [], undefined).toString("latin1");
  return typeof id === "string" && /^[0-9a-f]{32}$/.test(id) ? bytes.replace(id, "<server id>") : bytes;
}

function general(bytes: Buffer): AmqpPayload {
  return AmqpPayload.parse(bytes).withMessageId().ownBytes();
}

function envelope(messages: Buffer[]): Buffer {
  return Buffer.concat([message.encode({ message_annotations: {} }), ...messages.map((m) => encodeSection(message.data_section(m)))]);
}

function encodeSection(section: unknown): Buffer {
  const writer = new types.Writer();
  writer.write(section);
  return writer.toBuffer();
}

describe("messages read from their section headers on the send path", () => {
  for (const [name, bytes] of Object.entries(samples)) {
    it(`keeps the same bytes as the general parser: ${name}`, () => {
      const fast = AmqpPayload.received(bytes, 0, bytes.length);
      const slow = general(bytes);
      expect(stored(fast)).toBe(stored(slow));
      expect(fast.header).toEqual(slow.header);
      expect(fast.size).toBe(slow.size);
      expect(fast.system("MessageId")).toBeDefined();
      expect(fast.userPropertyNames()).toEqual(slow.userPropertyNames());
      for (const key of slow.userPropertyNames()) expect(fast.userTyped(key)).toEqual(slow.userTyped(key));
      for (const key of ["To", "ReplyTo", "Label", "ContentType", "ScheduledEnqueueTimeUtc", "PartitionKey", "TimeToLive"]) {
        expect(fast.system(key)).toEqual(slow.system(key));
      }
    });
  }

  it("reads the usual encodings from their headers and leaves the others to the general parser", () => {
    const usual = (name: string) => scanMessage(samples[name], 0, samples[name].length, emptyLayout());
    for (const name of Object.keys(samples).filter((n) => n !== "properties with a ulong descriptor")) expect(usual(name), name).toBe(true);
    expect(usual("properties with a ulong descriptor")).toBe(false);
  });

  it("keeps a sender's message id and assigns a fresh 32-hex-digit id to each message without one", () => {
    const own = samples["string message id"];
    expect(AmqpPayload.received(own, 0, own.length).system("MessageId")).toBe("order-1");
    const plain = samples["SDK-like: empty annotations, properties without id, data body"];
    const ids = new Set(Array.from({ length: 300 }, () => AmqpPayload.received(plain, 0, plain.length).system("MessageId") as string));
    expect(ids.size).toBe(300);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
    // The id is part of the message as delivered.
    const payload = AmqpPayload.received(plain, 0, plain.length);
    expect(message.decode(payload.encode(0, [], undefined)).message_id).toBe(payload.system("MessageId"));
  });

  it("reads a message inside a larger buffer without touching the bytes around it", () => {
    const bytes = samples["typed application properties and footer"];
    const around = Buffer.concat([Buffer.from("garbage"), bytes, Buffer.from("more")]);
    const fast = AmqpPayload.received(around, 7, 7 + bytes.length);
    expect(stored(fast)).toBe(stored(general(bytes)));
  });

  it("splits a batch envelope into its messages, in order", () => {
    const messages = Object.values(samples).slice(0, 6);
    const payloads = receivedPayloads(envelope(messages), true);
    expect(payloads.map(stored)).toEqual(messages.map((m) => stored(general(m))));
    expect(receivedPayloads(envelope([]), true)).toEqual([]);
  });

  it("rejects truncated messages and envelopes as the general parser does", () => {
    const bytes = samples["SDK-like: empty annotations, properties without id, data body"];
    const cut = bytes.subarray(0, bytes.length - 10);
    expect(() => general(cut)).toThrow(RangeError);
    expect(() => AmqpPayload.received(cut, 0, cut.length)).toThrow(RangeError);
    const batch = envelope([bytes, bytes]);
    expect(() => receivedPayloads(batch.subarray(0, batch.length - 10), true)).toThrow(RangeError);
    expect(() => AmqpPayload.received(Buffer.from([0x00, 0x53, 0x75, 0xff]), 0, 4)).toThrow(TypeError);
  });
});
