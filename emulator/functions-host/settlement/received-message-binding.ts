/**
 * The binding data the host hands a worker for a Service Bus trigger with `sdkBinding: true`, as Azure's Service
 * Bus extension builds it (ConvertReceivedMessageToBindingData): source "AzureServiceBusReceivedMessage", content
 * type "application/octet-stream", content = the 16 bytes of the lock token (a .NET Guid's byte order) followed by
 * the AMQP encoding of the received message. The message keeps what the broker sent; the lock token also travels as
 * the delivery annotation `x-opt-lock-token`, as Service Bus sends it, which is where the 0.2.0-preview worker
 * extension looks for the start of the AMQP sections.
 */
import type { ServiceBusReceivedMessage } from "@azure/service-bus";
import rhea from "rhea";
import type { RpcModelBindingData, RpcTypedData } from "../rpc-types.js";

const amqp = rhea as unknown as {
  message: { encode(m: object): Buffer; data_section(b: Buffer): unknown; sequence_section(l: unknown[]): unknown };
  types: { wrap_uuid(b: Buffer): unknown };
};

export const RECEIVED_MESSAGE_SOURCE = "AzureServiceBusReceivedMessage";

interface RawAmqp {
  header?: {
    durable?: boolean;
    priority?: number;
    timeToLive?: number;
    firstAcquirer?: boolean;
    deliveryCount?: number;
  };
  deliveryAnnotations?: Record<string, unknown>;
  messageAnnotations?: Record<string, unknown>;
  properties?: Record<string, unknown>;
  applicationProperties?: Record<string, unknown>;
  footer?: Record<string, unknown>;
  body?: unknown;
  bodyType?: "data" | "sequence" | "value";
}

/** A GUID's 16 bytes as .NET's Guid.ToByteArray() lays them out: the first three groups little-endian. */
export function dotNetGuidBytes(guid: string): Buffer {
  const b = Buffer.from(guid.replace(/-/g, ""), "hex");
  if (b.length !== 16) throw new Error(`"${guid}" is not a GUID`);
  const [a, b2, c] = [b.subarray(0, 4), b.subarray(4, 6), b.subarray(6, 8)];
  return Buffer.concat([a.reverse(), b2.reverse(), c.reverse(), b.subarray(8)]);
}

const defined = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

function bodySection(raw: RawAmqp): unknown {
  // The SDK keeps a received data or sequence body as rhea's section object: it encodes as it came.
  if (typeof raw.body === "object" && raw.body !== null && "typecode" in raw.body) return raw.body;
  if (raw.bodyType === "sequence") return amqp.message.sequence_section(raw.body as unknown[]);
  if (raw.bodyType === "value") return raw.body;
  const body = raw.body;
  return amqp.message.data_section(Buffer.isBuffer(body) ? body : Buffer.from((body as Uint8Array | undefined) ?? []));
}

/** The received message's AMQP encoding: its sections in AMQP order, with the lock token as a delivery annotation. */
export function encodeReceivedMessage(message: ServiceBusReceivedMessage): Buffer {
  const raw = (message._rawAmqpMessage ?? {}) as RawAmqp;
  const h = raw.header ?? {};
  const p = raw.properties ?? {};
  // rhea's message object is flat: the header's and properties' fields sit beside the other sections.
  const rheaMessage = defined({
    durable: h.durable,
    priority: h.priority,
    ttl: h.timeToLive,
    first_acquirer: h.firstAcquirer,
    delivery_count: h.deliveryCount,
    delivery_annotations: {
      ...raw.deliveryAnnotations,
      "x-opt-lock-token": amqp.types.wrap_uuid(Buffer.from((message.lockToken ?? "").replace(/-/g, ""), "hex")),
    },
    message_annotations: raw.messageAnnotations,
    message_id: p.messageId,
    user_id: p.userId,
    to: p.to,
    subject: p.subject,
    reply_to: p.replyTo,
    correlation_id: p.correlationId,
    content_type: p.contentType,
    content_encoding: p.contentEncoding,
    absolute_expiry_time: p.absoluteExpiryTime === undefined ? undefined : new Date(p.absoluteExpiryTime as number),
    creation_time: p.creationTime === undefined ? undefined : new Date(p.creationTime as number),
    group_id: p.groupId,
    group_sequence: p.groupSequence,
    reply_to_group_id: p.replyToGroupId,
    application_properties: raw.applicationProperties,
    body: bodySection(raw),
    footer: raw.footer,
  });
  return amqp.message.encode(rheaMessage);
}

function modelBindingData(message: ServiceBusReceivedMessage): RpcModelBindingData {
  if (!message.lockToken) throw new Error("An SDK-bound Service Bus message needs a lock token (peekLock receive).");
  const content = Buffer.concat([dotNetGuidBytes(message.lockToken), encodeReceivedMessage(message)]);
  return { version: "1.0", source: RECEIVED_MESSAGE_SOURCE, contentType: "application/octet-stream", content };
}

export function receivedMessageData(message: ServiceBusReceivedMessage): RpcTypedData {
  return { modelBindingData: modelBindingData(message) };
}

export function receivedBatchData(messages: ServiceBusReceivedMessage[]): RpcTypedData {
  return { collectionModelBindingData: { modelBindingData: messages.map(modelBindingData) } };
}
