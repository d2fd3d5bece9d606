/**
 * Traces every invocation of the Functions app from one preInvocation hook (functions/tracing.ts installs it), so no
 * function has to remember to:
 *   HTTP trigger          a SERVER span whose parent is the request's `traceparent` (else a new trace); the messages
 *                         the request sends carry it (src/http/correlation.ts reads the active span);
 *   Service Bus trigger   the consumer span and hops of src/telemetry/message-processing.ts, parent = the message's
 *                         `Diagnostic-Id`/`traceparent` property (else its CloudEvent traceparent), with the delivery count;
 *   Event Grid trigger    the same, parent = the CloudEvent's traceparent;
 *   Kafka trigger         the same, parent = the record's traceparent header;
 *   anything else         (timers) an INTERNAL span, and hops it causes name the function.
 */
import type { HttpRequest, HttpResponseInit, InvocationContext, PreInvocationContext } from "@azure/functions";
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { topology } from "../config.js";
import { sdkBoundBody } from "../messaging/command-settlement.js";
import { processMessage, runAs } from "./message-processing.js";
import { contextOf, isTraceparent } from "./trace-context.js";
import { tracer } from "./tracer.js";

type Handler = (input: unknown, invocation: InvocationContext) => unknown;

const num = (v: unknown) => (typeof v === "number" ? v : typeof v === "string" && v !== "" && Number.isFinite(Number(v)) ? Number(v) : undefined);
const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);

/** The trace context a Service Bus message's properties carry (what Azure's SDKs and the Functions host read). */
function serviceBusTraceparent(metadata: Record<string, unknown> | undefined): string | undefined {
  const props = (metadata?.applicationProperties ?? metadata?.userProperties) as Record<string, unknown> | undefined;
  const candidate = props?.traceparent ?? props?.["Diagnostic-Id"];
  return isTraceparent(candidate) ? candidate : undefined;
}

/** A Kafka trigger's record: the extension's KafkaEventData (as an object or its JSON), header values base64. */
function kafkaRecord(input: unknown): { value: unknown; traceparent?: string } {
  if (typeof input === "string") {
    try {
      input = JSON.parse(input);
    } catch {
      return { value: input };
    }
  }
  const record = input as { Value?: unknown; value?: unknown; Headers?: unknown; headers?: unknown } | null;
  const value = record?.Value ?? record?.value ?? input;
  const headers = record?.Headers ?? record?.headers;
  let traceparent: string | undefined;
  for (const h of Array.isArray(headers) ? (headers as { Key?: string; key?: string; Value?: unknown; value?: unknown }[]) : []) {
    if ((h.Key ?? h.key) !== "traceparent") continue;
    const raw = h.Value ?? h.value;
    const text = typeof raw === "string" ? (/^[A-Za-z0-9+/]+=*$/.test(raw) && !isTraceparent(raw) ? Buffer.from(raw, "base64").toString("utf8") : raw) : undefined;
    if (isTraceparent(text)) traceparent = text;
  }
  return { value, ...(traceparent ? { traceparent } : {}) };
}

async function traceHttp(route: string, request: HttpRequest, run: () => Promise<unknown>): Promise<unknown> {
  const path = `/api/${route.replace(/^\/+/, "")}`;
  const actor = `${request.method} ${path}`;
  const parent = contextOf(request.headers.get("traceparent")?.trim().toLowerCase(), ROOT_CONTEXT);
  const span = tracer().startSpan(actor, { kind: SpanKind.SERVER, attributes: { "http.request.method": request.method, "http.route": path, "url.path": new URL(request.url).pathname } }, parent);
  try {
    const result = await context.with(trace.setSpan(parent, span), () => runAs(actor, run));
    const status = (result as HttpResponseInit | undefined)?.status ?? 200;
    span.setAttribute("http.response.status_code", status);
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    return result;
  } catch (err) {
    span.recordException(err instanceof Error ? err : new Error(String(err)));
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw err;
  } finally {
    span.end();
  }
}

async function traceInternal(name: string, run: () => Promise<unknown>): Promise<unknown> {
  return tracer().startActiveSpan(name, { kind: SpanKind.INTERNAL }, async (span) => {
    try {
      return await runAs(name, run);
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
      throw err;
    } finally {
      span.end();
    }
  });
}

/** Wraps the handler of one invocation (a preInvocation hook). */
export function traceInvocation(pre: PreInvocationContext): void {
  const original = pre.functionHandler as Handler;
  const invocation = pre.invocationContext;
  const trigger = (invocation.options?.trigger ?? {}) as { type?: string } & Record<string, unknown>;
  const consumer = invocation.functionName;
  const metadata = invocation.triggerMetadata as Record<string, unknown> | undefined;
  const single = (input: unknown) => !Array.isArray(input);
  const wrap = (around: (input: unknown, run: () => Promise<unknown>) => Promise<unknown>): Handler => (input, ctx) => around(input, async () => original(input, ctx));

  switch (trigger.type) {
    case "httpTrigger":
      pre.functionHandler = wrap((input, run) => traceHttp(str(trigger.route) ?? consumer, input as HttpRequest, run));
      return;
    case "serviceBusTrigger":
      // With the SDK binding the input is { messages, actions }: the hops are about the message's body.
      pre.functionHandler = wrap((bound, run) => {
        const input = sdkBoundBody(bound);
        return single(input)
          ? processMessage(
              {
                consumer,
                message: input,
                system: "servicebus",
                ...(str(trigger.topicName) ?? str(trigger.queueName) ? { destination: str(trigger.topicName) ?? str(trigger.queueName) } : {}),
                ...(str(trigger.subscriptionName) ? { subscription: str(trigger.subscriptionName) } : {}),
                ...(num(metadata?.deliveryCount) === undefined ? {} : { deliveryCount: num(metadata?.deliveryCount) }),
                ...(serviceBusTraceparent(metadata) ? { traceparent: serviceBusTraceparent(metadata) } : {}),
              },
              run,
            )
          : traceInternal(consumer, run);
      });
      return;
    case "eventGridTrigger":
      pre.functionHandler = wrap((input, run) => processMessage({ consumer, message: input, system: "eventgrid", destination: topology.eventGridTopic, subscription: consumer }, run));
      return;
    case "kafkaTrigger":
      pre.functionHandler = wrap((input, run) => {
        if (!single(input)) return traceInternal(consumer, run);
        const record = kafkaRecord(input);
        return processMessage({ consumer, message: record.value, system: "kafka", destination: str(trigger.topic) ?? topology.eventHub, ...(str(trigger.consumerGroup) ? { subscription: str(trigger.consumerGroup) } : {}), ...(record.traceparent ? { traceparent: record.traceparent } : {}) }, run);
      });
      return;
    default:
      pre.functionHandler = wrap((_input, run) => traceInternal(consumer, run));
  }
}
