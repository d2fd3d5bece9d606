/**
 * Trace context across a hop, in process: a span's context goes into the CloudEvent, out onto the Service Bus
 * message's properties (through the publish span), and back into the consumer's span; the consumer's commit makes
 * events that carry its own span; every hop is recorded with the trace and correlation ids.
 */
import { randomUUID } from "node:crypto";
import { context, SpanKind, trace } from "@opentelemetry/api";
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-node";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createMessage } from "../../../src/events/catalog.js";
import type { OutboxRecord } from "../../../src/eventstore/event-store.js";
import { InMemoryEventStore } from "../../../src/eventstore/in-memory-event-store.js";
import { type StreamDefinition, StreamRepository } from "../../../src/eventstore/stream-repository.js";
import { traceOf } from "../../../src/http/correlation.js";
import { MessageConsumer } from "../../../src/messaging/message-consumer.js";
import { toServiceBusMessage } from "../../../src/messaging/service-bus-message-bus.js";
import { processMessage, runAs } from "../../../src/telemetry/message-processing.js";
import { tracedPublish } from "../../../src/telemetry/publish-tracing.js";
import { exportersFor, startTelemetry } from "../../../src/telemetry/telemetry-setup.js";
import { activeTraceparent, contextOf, traceIdOf, traceparentOfSpan } from "../../../src/telemetry/trace-context.js";
import { tracer } from "../../../src/telemetry/tracer.js";
import { useHopRecorder } from "../../../src/timeline/hop-recorder.js";
import { InMemoryHopStore } from "../../../src/timeline/in-memory-hop-store.js";

const spans = new InMemorySpanExporter();
let hops: InMemoryHopStore;

beforeAll(() => {
  startTelemetry({ env: {}, spanProcessors: [new SimpleSpanProcessor(spans)] });
});
afterEach(() => {
  spans.reset();
  useHopRecorder(undefined);
});

type Inventory = { left: number };
const inventory: StreamDefinition<Inventory, "TicketsReserved"> = {
  prefix: "inventory-",
  eventNames: ["TicketsReserved"],
  snapshotSchemaVersion: 1,
  initial: () => ({ left: 3 }),
  evolve: (s, e) => ({ left: s.left - e.data.quantity }),
};

const headers = (h: Record<string, string>) => ({ get: (name: string) => h[name.toLowerCase()] ?? null });
const byName = (name: string) => spans.getFinishedSpans().find((s) => s.name === name);
const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;

describe("trace context across a hop", () => {
  it("chooses exporters from the settings: Azure Monitor, OTLP, console, or none", () => {
    expect(exportersFor({})).toEqual([]);
    expect(exportersFor({ APPLICATIONINSIGHTS_CONNECTION_STRING: "InstrumentationKey=00000000-0000-0000-0000-000000000000" })).toEqual(["azuremonitor"]);
    expect(exportersFor({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://localhost:4318" })).toEqual(["otlp"]);
    expect(exportersFor({ OTEL_TRACES_EXPORTER: "console" })).toEqual(["console"]);
    expect(exportersFor({ OTEL_TRACES_EXPORTER: "none", OTEL_EXPORTER_OTLP_ENDPOINT: "http://localhost:4318" })).toEqual([]);
    expect(() => exportersFor({ OTEL_TRACES_EXPORTER: "zipkin" })).toThrow(/unknown exporter zipkin/);
  });

  it("survives envelope -> Service Bus properties -> consumer, and the consumer's events carry the consumer's span", async () => {
    hops = new InMemoryHopStore();
    useHopRecorder(hops);
    const purchaseId = randomUUID();
    const callerTrace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const store = new InMemoryEventStore();
    const wire: ReturnType<typeof toServiceBusMessage>[] = [];
    // The relay's part: publish each record with its span's traceparent on the wire, as ServiceBusMessageBus does.
    const relay = {
      deliver: (records: readonly OutboxRecord[]) =>
        tracedPublish("servicebus", records.map((r) => ({ message: r.message, destination: "events", channel: r.channel })), async (traceparents) => {
          records.forEach((r, i) => wire.push(toServiceBusMessage(r, traceparents[i])));
        }),
    };
    const consumer = new MessageConsumer({ repository: new StreamRepository(store, 20), relay });

    // 1. The HTTP request: a server span, child of the caller's traceparent; the command carries the server span.
    const server = tracer().startSpan("POST /api/purchases", { kind: SpanKind.SERVER }, contextOf(callerTrace));
    const command = await context.with(trace.setSpan(context.active(), server), () =>
      runAs("POST /api/purchases", async () => {
        const { correlationId, traceparent } = traceOf(headers({ "x-correlation-id": "corr-prop" }));
        expect(traceparent).toBe(traceparentOfSpan(server));
        const message = createMessage("ReserveTickets", { concertId: "c-1", purchaseId, tier: "standard", quantity: 1 }, { correlationId, ...(traceparent ? { traceparent } : {}), id: `${purchaseId}:ReserveTickets` });
        await tracedPublish("servicebus", [{ message, destination: "commands", channel: "commands" }], async ([tp]) => void wire.push(toServiceBusMessage({ message, channel: "commands" }, tp)));
        return message;
      }),
    );
    server.end();
    const sent = wire.shift()!;
    const publishCommand = byName("publish commands")!;
    expect(sent.applicationProperties).toMatchObject({ "Diagnostic-Id": traceparentOfSpan({ spanContext: () => publishCommand.spanContext() } as never), traceparent: expect.any(String) });
    expect(parentOf(publishCommand)).toBe(server.spanContext().spanId);

    // 2. The consumer: its span is a child of the publish span the properties carried.
    const outcome = await processMessage(
      { consumer: "concerts", message: sent.body, system: "servicebus", destination: "commands", subscription: "concerts", deliveryCount: 1, traceparent: sent.applicationProperties!["Diagnostic-Id"] as string },
      () =>
        consumer.handle({
          consumer: "concerts",
          message: sent.body as typeof command,
          stream: inventory,
          id: "c-1",
          decide: (_s, { now }) => ({ events: [{ name: "TicketsReserved", data: { ...command.data, reservedAt: now.toISOString() } }] }),
        }),
    );
    expect(outcome.status).toBe("handled");
    const process = byName("process commands/concerts")!;
    expect(process.kind).toBe(SpanKind.CONSUMER);
    expect(parentOf(process)).toBe(publishCommand.spanContext().spanId);
    expect(process.attributes).toMatchObject({
      "messaging.system": "servicebus",
      "messaging.destination.name": "commands",
      "messaging.message.id": command.id,
      "messaging.operation": "process",
      "messaging.servicebus.message.delivery_count": 1,
      "musicfest.correlation_id": "corr-prop",
    });

    // 3. The event it committed carries the consumer's span, and its publish is a child of that span.
    const [stored] = (await store.readStream("inventory-c-1")).events;
    expect(stored.event.traceparent).toBe(traceparentOfSpan({ spanContext: () => process.spanContext() } as never));
    expect(stored.event).toMatchObject({ correlationid: "corr-prop", causationid: command.id });
    const publishEvent = byName("publish events")!;
    expect(parentOf(publishEvent)).toBe(process.spanContext().spanId);
    expect(wire[0].applicationProperties?.["Diagnostic-Id"]).toContain(publishEvent.spanContext().spanId);

    // One trace, the caller's, from the request to the last publish.
    const traceId = traceIdOf(callerTrace);
    expect(new Set(spans.getFinishedSpans().map((s) => s.spanContext().traceId))).toEqual(new Set([traceId]));

    // 4. The hops, in the order they happened, all in the trace and the correlation.
    expect(hops.hops.map((h) => [h.kind, h.name, h.by ?? null, h.system ?? null])).toEqual([
      ["published", "ReserveTickets", "POST /api/purchases", "servicebus"],
      ["delivered", "ReserveTickets", "concerts", "servicebus"],
      ["handled", "ReserveTickets", "concerts", null],
      ["recorded", "TicketsReserved", "concerts", null],
      ["published", "TicketsReserved", "concerts", "servicebus"],
    ]);
    expect(hops.hops.find((h) => h.kind === "delivered")).toMatchObject({ deliveryCount: 1, destination: "commands/concerts", purchaseId });
    expect(hops.hops.find((h) => h.kind === "recorded")).toMatchObject({ streamId: "inventory-c-1", version: 1, causationId: command.id });
    expect(new Set(hops.hops.map((h) => h.traceId))).toEqual(new Set([traceId]));
    expect(new Set(hops.hops.map((h) => h.correlationId))).toEqual(new Set(["corr-prop"]));
    expect(await hops.hopsOfPurchase(purchaseId)).toHaveLength(5);
  });

  it("records one delivered and one outcome per delivery: duplicate when the inbox has it, failed with the reason", async () => {
    hops = new InMemoryHopStore();
    useHopRecorder(hops);
    const purchaseId = randomUUID();
    const store = new InMemoryEventStore();
    const consumer = new MessageConsumer({ repository: new StreamRepository(store, 20) });
    const message = createMessage("ReserveTickets", { concertId: "c-2", purchaseId, tier: "standard", quantity: 1 }, { correlationId: "corr-dup", id: `${purchaseId}:ReserveTickets` });
    const handle = (deliveryCount: number, fail = false) =>
      processMessage({ consumer: "concerts", message, deliveryCount }, () =>
        consumer.handle({
          consumer: "concerts",
          message,
          stream: inventory,
          id: "c-2",
          decide: (_s, { now }) => {
            if (fail) throw new Error("the store is on fire");
            return { events: [{ name: "TicketsReserved", data: { ...message.data, reservedAt: now.toISOString() } }] };
          },
        }),
      );
    await expect(handle(1, true)).rejects.toThrow("the store is on fire");
    await handle(2);
    await handle(3);
    expect(hops.hops.filter((h) => h.messageId === message.id).map((h) => [h.kind, h.deliveryCount ?? null, h.detail ?? null])).toEqual([
      ["delivered", 1, null],
      ["failed", null, "Error: the store is on fire"],
      ["delivered", 2, null],
      ["handled", null, null],
      ["delivered", 3, null],
      ["duplicate", null, null],
    ]);
    // Without tracing context from the message, each delivery starts its own trace; the hops still carry its ids.
    expect(hops.hops.every((h) => h.traceId?.length === 32)).toBe(true);
  });

  it("passes a traceparent through unchanged where no span is running", () => {
    expect(activeTraceparent()).toBeUndefined();
    const given = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    expect(traceOf(headers({ traceparent: given }))).toEqual({ correlationId: "4bf92f3577b34da6a3ce929d0e0e4736", traceparent: given });
  });
});
