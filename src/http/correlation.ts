/**
 * The correlation id of a request: the caller's `x-correlation-id` when it is a sane token, else the trace id of a
 * W3C `traceparent`, else a new one. It is answered back on every response and travels in every message the
 * request causes (the CloudEvents `correlationid`), so one id finds a purchase in every log line.
 * Under tracing (the Functions app starts a server span per request, child of the caller's traceparent), the
 * messages carry that span's traceparent, so every hop of the purchase joins the request's trace.
 */
import { randomUUID } from "node:crypto";
import { activeTraceparent, traceIdOf } from "../telemetry/trace-context.js";

export const CORRELATION_HEADER = "x-correlation-id";
const TOKEN = /^[\w.:-]{1,128}$/;
const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/;

export interface RequestTrace {
  correlationId: string;
  /** The caller's traceparent, passed on to the messages (distributed tracing extension). */
  traceparent?: string;
}

export function traceOf(headers: { get(name: string): string | null }): RequestTrace {
  const given = headers.get(CORRELATION_HEADER)?.trim();
  const traceparent = headers.get("traceparent")?.trim().toLowerCase();
  const validTraceparent = traceparent && TRACEPARENT.test(traceparent) ? traceparent : undefined;
  const active = activeTraceparent();
  const correlationId = given && TOKEN.test(given) ? given : (validTraceparent?.split("-")[1] ?? traceIdOf(active) ?? randomUUID());
  const sent = active ?? validTraceparent;
  return { correlationId, ...(sent ? { traceparent: sent } : {}) };
}
