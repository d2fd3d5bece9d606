/**
 * The dashboard's observers of each service: they turn what Service Bus, Event Grid, Kafka and the Functions host
 * report into hops of the flow recorder, reading only the ids a hop is filed under and a one-line detail.
 *
 * Ids: Service Bus messages carry CorrelationId and the trace context as the `Diagnostic-Id` (the SDKs' name) or
 * `traceparent` application property; CloudEvents carry the `correlationid` and `traceparent` extension attributes
 * (EventGrid-schema events a `correlationId` in data, as the app's purchase events do); Kafka records carry
 * `correlationid` and `traceparent` headers; an invocation carries the correlation id its trigger found.
 */
import type { DeliveryHop, DeliveryObserver } from "../eventgrid/delivery/delivery-observer.js";
import type { AcceptedEvent } from "../eventgrid/model/events.js";
import type { InvocationRecord } from "../functions-host/invoker.js";
import type { RecordObserver } from "../kafka/model/record-observer.js";
import { recordHeaders } from "../kafka/record-batch.js";
import type { MessageHop, MessageObserver } from "../servicebus/model/message-observer.js";
import { type FlowIds, type FlowRecorder, traceIdOf } from "./flow-recorder.js";

/** What the dashboard reads of an invocation of the local Functions host: the host's own record, as it reports it. */
export type InvocationFacts = InvocationRecord;

const text = (v: unknown): string | undefined => (v === undefined || v === null || v === "" ? undefined : String(v));

/**
 * Runs an observer's work so that nothing it throws reaches the model that called it: a hop the dashboard cannot
 * read is left out of its flow, and the message, event or record goes on as if nobody watched.
 */
function isolated<A extends unknown[]>(work: (...args: A) => void): (...args: A) => void {
  return (...args) => {
    try {
      work(...args);
    } catch {
      // Deliberately dropped: see above.
    }
  };
}

/** The same for the one-argument observer on the message path, without the rest-argument array per call. */
function isolated1<T>(work: (arg: T) => void): (arg: T) => void {
  return (arg) => {
    try {
      work(arg);
    } catch {
      // Deliberately dropped: see isolated().
    }
  };
}

const SB_PROBLEMS = new Set(["dead-lettered", "lock-expired", "expired", "abandoned"]);
/** What a message without ids reports: nothing to file, only that Service Bus changed. */
const NO_FLOW = { service: "servicebus" as const, kind: "", where: "", detail: "" };

/**
 * A message's ids, read once per payload and kept in its `observed` slot: its later hops (enqueued, delivered,
 * completed) reuse them without decoding its properties again. A payload without the slot (a subscription's view of
 * a topic message) is read at each hop.
 */
function messageIds(p: MessageHop["payload"]): FlowIds {
  const seen = p.observed as FlowIds | undefined;
  if (seen) return seen;
  const ids: FlowIds = {
    correlationId: text(p.system("CorrelationId")),
    traceId: traceIdOf(p.user("Diagnostic-Id") ?? p.user("traceparent")),
  };
  if ("observed" in p) p.observed = ids;
  return ids;
}

export function serviceBusFlows(recorder: FlowRecorder): MessageObserver {
  return {
    onMessage: isolated1((hop: MessageHop) => {
      const p = hop.payload;
      // Filed under the ids a user types only: a message with neither is counted, not kept (at thousands of
      // messages a second, a flow per message id would only churn the recorder's memory).
      const ids = messageIds(p);
      if (!ids.correlationId && !ids.traceId) {
        recorder.record(ids, NO_FLOW);
        return;
      }
      const parts = [`#${hop.sequenceNumber}`];
      const subject = text(p.system("Label"));
      if (subject && (hop.kind === "enqueued" || hop.kind === "sent")) parts.push(subject);
      if (hop.deliveryCount !== undefined) parts.push(`delivery ${hop.deliveryCount}`);
      if (hop.kind === "scheduled" && hop.reason) parts.push(`due ${hop.reason}`);
      else if (hop.reason) parts.push(hop.description ? `${hop.reason}: ${hop.description}` : hop.reason);
      recorder.record(ids, {
        service: "servicebus",
        kind: hop.kind,
        where: hop.entity,
        detail: parts.join(" · "),
        ...(SB_PROBLEMS.has(hop.kind) ? { problem: true } : {}),
      });
    }),
  };
}

function eventIds(e: AcceptedEvent): FlowIds {
  const event = e.stored.event as Record<string, unknown>;
  const data = (event.data ?? {}) as Record<string, unknown>;
  const correlationId = text(event.correlationid) ?? (typeof data === "object" ? text(data.correlationId) : undefined);
  return { correlationId, traceId: traceIdOf(event.traceparent), fallbackId: text(event.id) };
}

function eventType(e: AcceptedEvent): string {
  const event = e.stored.event as Record<string, unknown>;
  return String(event.type ?? event.eventType ?? "");
}

export function eventGridFlows(recorder: FlowRecorder, now: () => number): DeliveryObserver {
  return {
    onDelivery: isolated((hop: DeliveryHop) => {
      const where = hop.subscription ? `${hop.topic}/${hop.subscription}` : hop.topic;
      for (const e of hop.events) {
        const parts = [eventType(e)];
        if (hop.attempts !== undefined && hop.kind !== "published") parts.push(`attempt ${hop.attempts}`);
        if (hop.reason) parts.push(hop.reason);
        if (hop.nextAttemptAt !== undefined) {
          const wait = Math.round((hop.nextAttemptAt - now()) / 1000);
          parts.push(`next attempt ${new Date(hop.nextAttemptAt).toISOString()} (in ${wait} s)`);
        }
        const problem = hop.kind !== "published" && hop.kind !== "delivered";
        const detail = parts.join(" · ");
        const filed = { service: "eventgrid" as const, kind: hop.kind, where, detail };
        recorder.record(eventIds(e), problem ? { ...filed, problem } : filed);
      }
    }),
  };
}

/** Records produced, kept per partition (at most this many) until every group that commits past them is told. */
const PENDING_PER_PARTITION = 1000;

export function kafkaFlows(recorder: FlowRecorder): RecordObserver {
  const pending = new Map<string, { offset: number; ids: FlowIds }[]>();
  const committed = new Map<string, number>();
  return {
    onAppended: isolated((topic: string, partition: number, baseOffset: number, batches: readonly Buffer[]) => {
      let base = baseOffset;
      const key = `${topic}\0${partition}`;
      for (const batch of batches) {
        let records: ReturnType<typeof recordHeaders> = [];
        try {
          records = recordHeaders(batch);
        } catch {
          // A batch the recorder cannot read is still stored; it has no flow to show.
        }
        for (const r of records) {
          const offset = base + r.offsetDelta;
          const ids: FlowIds = {
            correlationId: text(r.headers.correlationid),
            traceId: traceIdOf(r.headers.traceparent),
          };
          if (!ids.correlationId && !ids.traceId) continue;
          const type = r.headers.ce_type ? `${r.headers.ce_type} · ` : "";
          const where = `${topic}/${partition}`;
          recorder.record(ids, { service: "kafka", kind: "produced", where, detail: `${type}offset ${offset}` });
          let list = pending.get(key);
          if (!list) pending.set(key, (list = []));
          list.push({ offset, ids });
          if (list.length > PENDING_PER_PARTITION) list.shift();
        }
        base += batch.readInt32BE(57);
      }
    }),
    onCommitted: isolated((group: string, topic: string, partition: number, offset: number) => {
      const groupKey = `${group}\0${topic}\0${partition}`;
      const from = committed.get(groupKey) ?? 0;
      committed.set(groupKey, Math.max(from, offset));
      for (const r of pending.get(`${topic}\0${partition}`) ?? []) {
        if (r.offset < from || r.offset >= offset) continue;
        const detail = `group ${group} committed past offset ${r.offset}`;
        recorder.record(r.ids, { service: "kafka", kind: "consumed", where: `${topic}/${partition}`, detail });
      }
    }),
  };
}

export function invocationFlows(recorder: FlowRecorder, now: () => number): (record: InvocationFacts) => void {
  return isolated((r: InvocationFacts) => {
    const detail = `${r.trigger} · ${r.outcome} in ${r.durationMs} ms${r.error ? ` · ${r.error}` : ""}`;
    const hop = { service: "functions" as const, kind: "invoked", where: r.functionName, detail };
    const ids = { correlationId: r.correlationId, traceId: traceIdOf(r.correlationId) };
    // Told when it ended: filed at its start, before the sends and settlements it made.
    recorder.record(ids, r.outcome === "failed" ? { ...hop, problem: true } : hop, now() - Math.ceil(r.durationMs));
  });
}
