/**
 * The producer side of a hop: a PRODUCER span `publish <destination>` per message, child of the span that made the
 * message (its traceparent), and the `published` hop once the destination took it. The span's traceparent is what
 * the transport carries (Service Bus `Diagnostic-Id`/`traceparent`, the Kafka `traceparent` header, the Event Grid
 * CloudEvent's `traceparent`), so the consumer's span becomes a child of this publish.
 */
import { context, isSpanContextValid, type Span, SpanKind, SpanStatusCode } from "@opentelemetry/api";
import type { CloudEvent } from "../events/envelope.js";
import { factsOf, hopOf, type MessagingSystem } from "../timeline/hop.js";
import { recordHops } from "../timeline/hop-recorder.js";
import { currentActor } from "./message-processing.js";
import { messagingAttributes } from "./messaging-attributes.js";
import { contextOf, traceparentOfSpan } from "./trace-context.js";
import { tracer } from "./tracer.js";
import { currentTime } from "../clock.js";

export interface PublishItem {
  message: CloudEvent;
  destination: string;
  channel?: string;
}

/**
 * Runs `send` with each item's traceparent to put on the wire (its publish span's; the message's own when tracing
 * is off), ends the spans, and records the hops when `send` succeeded.
 */
export async function tracedPublish(system: MessagingSystem, items: readonly PublishItem[], send: (traceparents: (string | undefined)[]) => Promise<void>): Promise<void> {
  if (items.length === 0) return send([]);
  const at = currentTime();
  const facts = items.map((item) => factsOf(item.message));
  const spans: Span[] = items.map((item, i) =>
    tracer().startSpan(
      `publish ${item.destination}`,
      { kind: SpanKind.PRODUCER, attributes: messagingAttributes({ system, operation: "publish", destination: item.destination, facts: facts[i] }) },
      contextOf(item.message.traceparent, context.active()),
    ),
  );
  const traceparents = spans.map((span, i) => traceparentOfSpan(span) ?? items[i].message.traceparent);
  try {
    await send(traceparents);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    for (const span of spans) {
      span.recordException(err instanceof Error ? err : new Error(message));
      span.setStatus({ code: SpanStatusCode.ERROR, message });
      span.end();
    }
    throw err;
  }
  for (const span of spans) {
    span.setStatus({ code: SpanStatusCode.OK });
    span.end();
  }
  const by = currentActor();
  recordHops(
    items.flatMap((item, i) => {
      const f = facts[i];
      if (!f) return [];
      const c = spans[i].spanContext();
      const ids = isSpanContextValid(c) ? { traceId: c.traceId, spanId: c.spanId } : {};
      return [hopOf(f, "published", at, { system, destination: item.destination, ...(item.channel ? { channel: item.channel } : {}), ...(by ? { by } : {}), ...ids })];
    }),
  );
}
