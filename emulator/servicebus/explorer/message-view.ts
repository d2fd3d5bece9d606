/**
 * A stored message as JSON for the explorer endpoints: broker facts (sequence number, state, times, delivery
 * count, lock), the AMQP properties, application properties, and the body decoded the way the SDK would (a data
 * section holding JSON or UTF-8 text becomes that JSON or text; other binary as base64).
 */
import { decodeMessage } from "../amqp/rhea-adapter.js";
import { encodeRecord } from "../amqp/delivery-encoding.js";
import type { MessageRecord } from "../model/message-record.js";

export interface MessageView {
  sequenceNumber: number;
  state: string;
  enqueuedTimeUtc: string;
  expiresAtUtc: string | null;
  lockedUntilUtc: string | null;
  deliveryCount: number;
  messageId: unknown;
  correlationId: unknown;
  subject: string | null;
  contentType: string | null;
  sessionId: string | null;
  replyTo: string | null;
  replyToSessionId: string | null;
  to: string | null;
  timeToLiveMs: number | null;
  deadLetterReason: unknown;
  deadLetterErrorDescription: unknown;
  deadLetterSource: string | null;
  applicationProperties: Record<string, unknown>;
  bodyType: "json" | "text" | "binary" | "value" | "sequence" | "empty";
  body: unknown;
  sizeInBytes: number;
}

/** Any decoded AMQP value as JSON: Buffers as base64, Dates as ISO strings, typed wrappers unwrapped. */
export function toJsonValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return value.toString("base64");
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (typeof value === "object") {
    const typed = value as { typecode?: number; value?: unknown };
    if (typed.typecode !== undefined && "value" in typed) return toJsonValue(typed.value);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toJsonValue(v);
    return out;
  }
  return value;
}

function decodeBody(body: unknown): { bodyType: MessageView["bodyType"]; body: unknown } {
  if (body === undefined || body === null) return { bodyType: "empty", body: null };
  const section = body as { typecode?: number; content?: unknown };
  if (section.typecode === 0x75 && Buffer.isBuffer(section.content)) {
    const bytes = section.content;
    const text = new TextDecoder("utf-8", { fatal: true });
    let decoded: string;
    try {
      decoded = text.decode(bytes);
    } catch {
      return { bodyType: "binary", body: bytes.toString("base64") };
    }
    try {
      return { bodyType: "json", body: JSON.parse(decoded) };
    } catch {
      return { bodyType: "text", body: decoded };
    }
  }
  if (section.typecode === 0x76) return { bodyType: "sequence", body: toJsonValue(section.content) };
  return { bodyType: "value", body: toJsonValue(body) };
}

const str = (v: unknown): string | null => (v === undefined || v === null ? null : String(v));

export function messageView(record: MessageRecord): MessageView {
  const message = decodeMessage(encodeRecord(record, record.deliveryCount));
  const app = (message.application_properties ?? {}) as Record<string, unknown>;
  const { bodyType, body } = decodeBody(message.body);
  return {
    sequenceNumber: record.sequenceNumber,
    state: record.state,
    enqueuedTimeUtc: new Date(record.enqueuedAt).toISOString(),
    expiresAtUtc: Number.isFinite(record.expiresAt) ? new Date(record.expiresAt).toISOString() : null,
    lockedUntilUtc: record.lockToken ? new Date(record.lockedUntil).toISOString() : null,
    deliveryCount: record.deliveryCount,
    messageId: toJsonValue(message.message_id),
    correlationId: toJsonValue(message.correlation_id),
    subject: str(message.subject),
    contentType: str(message.content_type),
    sessionId: str(message.group_id),
    replyTo: str(message.reply_to),
    replyToSessionId: str(message.reply_to_group_id),
    to: str(message.to),
    timeToLiveMs: typeof message.ttl === "number" ? message.ttl : null,
    deadLetterReason: toJsonValue(app.DeadLetterReason),
    deadLetterErrorDescription: toJsonValue(app.DeadLetterErrorDescription),
    deadLetterSource: record.deadLetterSource ?? null,
    applicationProperties: toJsonValue(app) as Record<string, unknown>,
    bodyType,
    body,
    sizeInBytes: record.payload.size,
  };
}
