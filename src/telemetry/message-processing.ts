/**
 * The consumer side of a hop: a CONSUMER span `process <destination>` whose parent is the producer's span (the
 * traceparent the message arrived with), the `delivered` hop, and the outcome hop (handled, duplicate or failed).
 * While the handler runs, its span is the active one, so every message it produces carries this span's traceparent
 * and the next hop becomes its child: one trace from the HTTP request to the last handler.
 *
 * Nested calls for the same message (the Functions invocation wraps the handler, and the handler's MessageConsumer
 * wraps its commit) make one span and one set of hops: the outermost, which knows the delivery count, wins.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { context, type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { factsOf, type Hop, hopOf, type MessageFacts, type MessagingSystem } from "../timeline/hop.js";
import { recordHops } from "../timeline/hop-recorder.js";
import { CONSUMER_ATTRIBUTE, messagingAttributes, OUTCOME_ATTRIBUTE } from "./messaging-attributes.js";
import { contextOf } from "./trace-context.js";
import { tracer } from "./tracer.js";
import { currentTime } from "../clock.js";

interface Scope {
  /** Who is running: a function, a consumer or an HTTP route. */
  actor: string;
  facts?: MessageFacts;
  span?: Span;
  settled: boolean;
}

const scopes = new AsyncLocalStorage<Scope>();

/** Who is running now (the publisher of messages sent from here), if known. */
export function currentActor(): string | undefined {
  return scopes.getStore()?.actor;
}

/** Runs `fn` as `actor` (an HTTP route, a timer function): hops recorded inside name it. */
export function runAs<T>(actor: string, fn: () => T): T {
  return scopes.run({ actor, settled: true }, fn);
}

export interface ProcessMessageOptions {
  /** The consumer: the function or inbox name (e.g. purchases, purchase-process, email, notify-fan). */
  consumer: string;
  /** The message body (a CloudEvent, parsed or not). */
  message: unknown;
  system?: MessagingSystem;
  destination?: string;
  subscription?: string;
  deliveryCount?: number;
  /** The trace context the transport carried (Diagnostic-Id, a Kafka header), over the body's. */
  traceparent?: string;
}

function idsOf(span: Span | undefined): Pick<Hop, "traceId" | "spanId"> {
  const c = span?.spanContext();
  return c && c.traceId !== "00000000000000000000000000000000" ? { traceId: c.traceId, spanId: c.spanId } : {};
}

export async function processMessage<T>(options: ProcessMessageOptions, run: () => Promise<T>): Promise<T> {
  const facts = factsOf(options.message);
  const outer = scopes.getStore();
  if (outer?.facts && facts && outer.facts.messageId === facts.messageId) return run();

  const where = options.subscription ? `${options.destination ?? ""}/${options.subscription}` : (options.destination ?? options.consumer);
  const parent = contextOf(options.traceparent ?? facts?.traceparent, context.active());
  const span = tracer().startSpan(
    `process ${where}`,
    { kind: SpanKind.CONSUMER, attributes: { ...messagingAttributes({ operation: "process", ...options, facts }), [CONSUMER_ATTRIBUTE]: options.consumer } },
    parent,
  );
  const scope: Scope = { actor: options.consumer, span, settled: false, ...(facts ? { facts } : {}) };
  const common = { by: options.consumer, ...(options.system ? { system: options.system } : {}), ...(where ? { destination: where } : {}) };
  if (facts) recordHops([hopOf(facts, "delivered", currentTime(), { ...common, ...idsOf(span), ...(options.deliveryCount === undefined ? {} : { deliveryCount: options.deliveryCount }) })]);
  try {
    const result = await context.with(trace.setSpan(parent, span), () => scopes.run(scope, run));
    settle(scope, "handled", {});
    span.setStatus({ code: SpanStatusCode.OK });
    return result;
  } catch (err) {
    const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    if (facts) recordHops([hopOf(facts, "failed", currentTime(), { ...common, ...idsOf(span), detail: detail.slice(0, 1000) })]);
    span.recordException(err instanceof Error ? err : new Error(detail));
    span.setStatus({ code: SpanStatusCode.ERROR, message: detail });
    throw err;
  } finally {
    span.end();
  }
}

function settle(scope: Scope, kind: "handled" | "duplicate" | "deferred", fields: Partial<Hop>, at = currentTime()): void {
  if (scope.settled) return;
  scope.settled = true;
  scope.span?.setAttribute(OUTCOME_ATTRIBUTE, fields.detail ? `${kind} (${fields.detail})` : kind);
  if (scope.facts) recordHops([hopOf(scope.facts, kind, at, { by: scope.actor, ...idsOf(scope.span), ...fields })]);
}

/**
 * Says what became of the message being processed, at the moment it became so (a commit), instead of when the
 * invocation ends; later outcomes of the same processing are ignored (a failure still records `failed`).
 */
export function settleOutcome(
  kind: "handled" | "duplicate" | "deferred",
  fields: Pick<Hop, "streamId" | "version" | "detail" | "circuit" | "retryAt"> = {},
  at = currentTime(),
): void {
  const scope = scopes.getStore();
  if (scope) settle(scope, kind, fields, at);
}

/** A hop of the message being processed, if any, about something that happened while handling it. */
export function recordCurrentMessageHop(
  kind: "circuit",
  fields: Pick<Hop, "detail" | "circuit">,
  at = currentTime(),
): void {
  const scope = scopes.getStore();
  if (scope?.facts) recordHops([hopOf(scope.facts, kind, at, { by: scope.actor, ...idsOf(scope.span), ...fields })]);
}

/** The trace and span ids of the span running now, for hops recorded inside it. */
export function activeIds(): Pick<Hop, "traceId" | "spanId"> {
  return idsOf(trace.getSpan(context.active()));
}
