/**
 * Service Bus messages as the host hands them to a Node.js function: the body as a string (JSON text becomes an
 * object in the library), raw bytes only when the body is not UTF-8, and trigger metadata under the host's
 * PascalCase names (`<Name>Array` for batches), which the library camel-cases for `context.triggerMetadata`.
 */
import type { ServiceBusReceivedMessage } from "@azure/service-bus";
import type { RpcTypedData } from "../rpc-types.js";
import { formatTimeSpan } from "../time-span.js";
import { jsonData, stringData, sysMetadata } from "./trigger-metadata.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });

type Body = { kind: "string"; value: string } | { kind: "bytes"; value: Uint8Array };

function bodyOf(message: ServiceBusReceivedMessage): Body {
  const body: unknown = message.body;
  if (body === undefined || body === null) return { kind: "string", value: "" };
  if (typeof body === "string") return { kind: "string", value: body };
  if (body instanceof Uint8Array) {
    try {
      return { kind: "string", value: utf8.decode(body) };
    } catch {
      return { kind: "bytes", value: body };
    }
  }
  // An AMQP value or sequence body (a JS object, array or number from the SDK): the host serializes it as JSON.
  return { kind: "string", value: JSON.stringify(body) };
}

export function messageData(message: ServiceBusReceivedMessage): RpcTypedData {
  const body = bodyOf(message);
  return body.kind === "string" ? stringData(body.value) : { bytes: body.value };
}

export function batchData(messages: ServiceBusReceivedMessage[]): RpcTypedData {
  const bodies = messages.map(bodyOf);
  if (bodies.every((b) => b.kind === "string")) return { collectionString: { string: bodies.map((b) => b.value as string) } };
  return { collectionBytes: { bytes: bodies.map((b) => (b.kind === "bytes" ? b.value : Buffer.from(b.value))) } };
}

const iso = (d: Date | undefined) => (d ? d.toISOString() : undefined);
const num = (v: unknown) => (v === undefined || v === null ? undefined : typeof v === "number" ? v : Number(String(v)));

/** The host's binding data for one message, PascalCase, undefined values left out. */
function fields(m: ServiceBusReceivedMessage): Record<string, unknown> {
  const state = m.state ? m.state[0].toUpperCase() + m.state.slice(1) : undefined;
  return {
    MessageId: m.messageId === undefined ? undefined : String(m.messageId),
    ContentType: m.contentType,
    CorrelationId: m.correlationId === undefined ? undefined : String(m.correlationId),
    Label: m.subject,
    Subject: m.subject,
    To: m.to,
    ReplyTo: m.replyTo,
    ReplyToSessionId: m.replyToSessionId,
    SessionId: m.sessionId,
    PartitionKey: m.partitionKey,
    // The JS SDK reports the AMQP header's count of earlier attempts; the host (.NET SDK) adds one.
    DeliveryCount: (m.deliveryCount ?? 0) + 1,
    SequenceNumber: num(m.sequenceNumber),
    EnqueuedSequenceNumber: num(m.enqueuedSequenceNumber),
    EnqueuedTimeUtc: iso(m.enqueuedTimeUtc),
    ExpiresAtUtc: iso(m.expiresAtUtc),
    LockedUntil: iso(m.lockedUntilUtc),
    ScheduledEnqueueTimeUtc: iso(m.scheduledEnqueueTimeUtc),
    LockToken: m.lockToken,
    TimeToLive: m.timeToLive === undefined ? undefined : formatTimeSpan(m.timeToLive),
    DeadLetterSource: m.deadLetterSource,
    DeadLetterReason: m.deadLetterReason,
    DeadLetterErrorDescription: m.deadLetterErrorDescription,
    State: state,
    ApplicationProperties: m.applicationProperties ?? {},
    UserProperties: m.applicationProperties ?? {},
  };
}

function typed(value: unknown): RpcTypedData {
  if (typeof value === "string") return stringData(value);
  if (typeof value === "number" && Number.isInteger(value)) return { int: value };
  return jsonData(value);
}

// Settlement objects the host also binds; they serialize to {} for Node.js functions.
const hostObjects = { MessageReceiver: jsonData({}), MessageActions: jsonData({}), Client: jsonData({}) };

export function messageMetadata(functionName: string, message: ServiceBusReceivedMessage, now: number): Record<string, RpcTypedData> {
  const out: Record<string, RpcTypedData> = { ...hostObjects, sys: sysMetadata(functionName, now) };
  const f = fields(message);
  for (const k in f) {
    const v = f[k];
    if (v !== undefined && k !== "UserProperties") out[k] = typed(v);
  }
  // The same properties under their older name: serialized once.
  out.UserProperties = out.ApplicationProperties;
  return out;
}

export function batchMetadata(functionName: string, messages: ServiceBusReceivedMessage[], now: number): Record<string, RpcTypedData> {
  const out: Record<string, RpcTypedData> = { ...hostObjects, sys: sysMetadata(functionName, now) };
  const all = messages.map(fields);
  for (const key of Object.keys(all[0] ?? {})) {
    const values = all.map((f) => f[key]);
    if (values.every((v) => v === undefined)) continue;
    out[`${key}Array`] = jsonData(values.map((v) => v ?? null));
  }
  return out;
}
