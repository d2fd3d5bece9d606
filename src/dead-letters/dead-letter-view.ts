/**
 * A dead letter as the admin API and the CLI show it: why it was dead-lettered, how often it was delivered, when
 * it was enqueued, and its body (JSON when it is JSON text, UTF-8 text, or base64 for other bytes).
 */
import type { ServiceBusReceivedMessage } from "@azure/service-bus";

export interface DeadLetterView {
  sequenceNumber: number;
  messageId: string | undefined;
  reason: string | undefined;
  description: string | undefined;
  deliveryCount: number | undefined;
  enqueuedTimeUtc: string | undefined;
  deadLetterSource: string | undefined;
  subject: string | undefined;
  correlationId: string | undefined;
  sessionId: string | undefined;
  contentType: string | undefined;
  applicationProperties: Record<string, unknown>;
  body: unknown;
  bodyEncoding: "json" | "text" | "base64";
}

/** Properties Service Bus sets when dead-lettering; a resubmitted copy goes without them. */
export const DEAD_LETTER_PROPERTIES = new Set(["DeadLetterReason", "DeadLetterErrorDescription"]);

export function sequenceNumberOf(message: ServiceBusReceivedMessage): number {
  return message.sequenceNumber!.toNumber();
}

function bodyOf(body: unknown): { body: unknown; bodyEncoding: DeadLetterView["bodyEncoding"] } {
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) {
    const bytes = Buffer.from(body);
    const text = bytes.toString("utf8");
    if (!Buffer.from(text, "utf8").equals(bytes)) return { body: bytes.toString("base64"), bodyEncoding: "base64" };
    try {
      return { body: JSON.parse(text), bodyEncoding: "json" };
    } catch {
      return { body: text, bodyEncoding: "text" };
    }
  }
  if (typeof body === "string") {
    try {
      return { body: JSON.parse(body), bodyEncoding: "json" };
    } catch {
      return { body, bodyEncoding: "text" };
    }
  }
  return { body, bodyEncoding: "json" };
}

function plainValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return value.toString("base64");
  if (value && typeof value === "object" && typeof (value as { toNumber?: unknown }).toNumber === "function") return (value as { toNumber(): number }).toNumber();
  return value;
}

export function viewOf(message: ServiceBusReceivedMessage): DeadLetterView {
  const applicationProperties: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(message.applicationProperties ?? {})) if (!DEAD_LETTER_PROPERTIES.has(k)) applicationProperties[k] = plainValue(v);
  return {
    sequenceNumber: sequenceNumberOf(message),
    messageId: message.messageId === undefined ? undefined : String(message.messageId),
    reason: message.deadLetterReason,
    description: message.deadLetterErrorDescription,
    deliveryCount: message.deliveryCount,
    enqueuedTimeUtc: message.enqueuedTimeUtc?.toISOString(),
    deadLetterSource: message.deadLetterSource,
    subject: message.subject,
    correlationId: message.correlationId === undefined ? undefined : String(message.correlationId),
    sessionId: message.sessionId,
    contentType: message.contentType,
    applicationProperties,
    ...bodyOf(message.body),
  };
}
