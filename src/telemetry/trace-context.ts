/**
 * W3C trace context as the messages carry it: a `traceparent` string (CloudEvents distributed tracing extension,
 * Service Bus `Diagnostic-Id`/`traceparent` application properties, Kafka `traceparent` header) in and out of an
 * OpenTelemetry context. The propagator is used directly, not the global one, so a traceparent survives even in a
 * process that never started telemetry.
 */
import { type Context, context, defaultTextMapGetter, defaultTextMapSetter, isSpanContextValid, ROOT_CONTEXT, type Span, trace } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";

const w3c = new W3CTraceContextPropagator();
const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-([\da-f]{16})-[\da-f]{2}$/;

export function isTraceparent(value: unknown): value is string {
  return typeof value === "string" && TRACEPARENT.test(value) && !/^[\da-f]{2}-0{32}-/.test(value) && !/^[\da-f]{2}-[\da-f]{32}-0{16}-/.test(value);
}

/** `base` with the remote span of `traceparent` as its parent (unchanged when there is no valid traceparent). */
export function contextOf(traceparent: string | undefined, base: Context = ROOT_CONTEXT): Context {
  if (!isTraceparent(traceparent)) return base;
  return w3c.extract(base, { traceparent }, defaultTextMapGetter);
}

/** The traceparent of the span active in `ctx`, if it has a valid one. */
export function traceparentIn(ctx: Context): string | undefined {
  const spanContext = trace.getSpanContext(ctx);
  if (!spanContext || !isSpanContextValid(spanContext)) return undefined;
  const carrier: Record<string, string> = {};
  w3c.inject(ctx, carrier, defaultTextMapSetter);
  return carrier.traceparent;
}

export function traceparentOfSpan(span: Span): string | undefined {
  return traceparentIn(trace.setSpan(ROOT_CONTEXT, span));
}

/** The traceparent of the span running now (an HTTP request's, a message handler's), if any. */
export function activeTraceparent(): string | undefined {
  return traceparentIn(context.active());
}

export function traceIdOf(traceparent: string | undefined): string | undefined {
  return traceparent ? TRACEPARENT.exec(traceparent)?.[1] : undefined;
}

export function spanIdOf(traceparent: string | undefined): string | undefined {
  return traceparent ? TRACEPARENT.exec(traceparent)?.[2] : undefined;
}
