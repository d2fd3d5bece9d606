/**
 * A purchase's timeline: every event of its streams and every hop of every message about it, in order: by time,
 * then by causation (a message caused by another comes after it when their hops share a millisecond), then by the
 * hop's place in a message's life (requested, recorded, published, delivered, handled), then as recorded.
 * Events are read from the event store (the truth); a `recorded` hop the timeline table lost is made from the event.
 */
import type { StoredEvent } from "../eventstore/event-store.js";
import { traceIdOf } from "../telemetry/trace-context.js";
import { factsOf, type Hop, hopOf, type HopKind } from "./hop.js";

/** The streams that belong to one purchase. */
export function purchaseStreamIds(purchaseId: string): string[] {
  return ["purchase-", "purchase-process-", "payment-", "ticket-issue-"].map((prefix) => prefix + purchaseId);
}

export type TimelineHop = Omit<Hop, "seq" | "process">;

export interface TimelineEvent {
  id: string;
  type: string;
  name?: string;
  streamId: string;
  version: number;
  time: string;
  causationId?: string;
  correlationId?: string;
  traceId?: string;
}

export interface PurchaseTimeline {
  purchaseId: string;
  /** Every correlation id and trace id seen on the purchase's messages (one each when all went well). */
  correlationIds: string[];
  traceIds: string[];
  events: TimelineEvent[];
  hops: TimelineHop[];
}

const kindRank: Record<HopKind, number> = {
  requested: 0,
  recorded: 1,
  published: 2,
  delivered: 3,
  // What happens while a message is handled, then what became of it.
  circuit: 4,
  handled: 5,
  duplicate: 5,
  failed: 5,
  deferred: 5,
};

/** How many causation steps each message is from the first one (0 when its cause is unknown). */
function causationDepths(links: Map<string, string | undefined>): Map<string, number> {
  const depths = new Map<string, number>();
  const depthOf = (id: string, seen: Set<string>): number => {
    const known = depths.get(id);
    if (known !== undefined) return known;
    const cause = links.get(id);
    const depth = cause && links.has(cause) && !seen.has(cause) ? depthOf(cause, seen.add(id)) + 1 : 0;
    depths.set(id, depth);
    return depth;
  };
  for (const id of links.keys()) depthOf(id, new Set());
  return depths;
}

export function buildTimeline(purchaseId: string, stored: readonly StoredEvent[], recorded: readonly Hop[]): PurchaseTimeline | undefined {
  if (stored.length === 0 && recorded.length === 0) return undefined;
  const hops = [...recorded];
  const recordedIds = new Set(hops.filter((h) => h.kind === "recorded").map((h) => h.messageId));
  const events: TimelineEvent[] = [];
  for (const { streamId, version, event } of stored) {
    const facts = factsOf(event);
    if (!facts) continue;
    events.push({
      id: event.id,
      type: event.type,
      ...(facts.name ? { name: facts.name } : {}),
      streamId,
      version,
      time: event.time,
      ...(event.causationid ? { causationId: event.causationid } : {}),
      ...(event.correlationid ? { correlationId: event.correlationid } : {}),
      ...(traceIdOf(event.traceparent) ? { traceId: traceIdOf(event.traceparent) } : {}),
    });
    if (!recordedIds.has(event.id)) hops.push(hopOf(facts, "recorded", new Date(event.time), { streamId, version, ...(traceIdOf(event.traceparent) ? { traceId: traceIdOf(event.traceparent) } : {}) }));
  }
  const links = new Map<string, string | undefined>();
  for (const h of hops) if (!links.get(h.messageId)) links.set(h.messageId, h.causationId);
  const depths = causationDepths(links);
  const key = (h: Hop) => [Date.parse(h.at), depths.get(h.messageId) ?? 0, kindRank[h.kind], h.process ?? "", h.seq ?? 0] as const;
  hops.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
    return 0;
  });
  events.sort((a, b) => Date.parse(a.time) - Date.parse(b.time) || (depths.get(a.id) ?? 0) - (depths.get(b.id) ?? 0) || a.version - b.version);
  const unique = (values: (string | undefined)[]) => [...new Set(values.filter((v): v is string => !!v))];
  return {
    purchaseId,
    correlationIds: unique([...hops.map((h) => h.correlationId), ...events.map((e) => e.correlationId)]),
    traceIds: unique([...hops.map((h) => h.traceId), ...events.map((e) => e.traceId)]),
    events,
    hops: hops.map(({ seq: _seq, process: _process, ...hop }) => hop),
  };
}
