/**
 * The flow recorder: every hop the emulator itself observes (Service Bus, Event Grid, Kafka, the local Functions
 * host), filed under the ids a user would type: the correlation id and the W3C trace id (from `traceparent` or the
 * `Diagnostic-Id` application property), or the message / event id when a message carries neither. One hop is filed
 * under each of its ids, so a purchase's correlation id and its trace id show the same timeline.
 *
 * Bounded memory: at most MAX_FLOWS flows and MAX_HOPS_PER_FLOW hops each (the oldest dropped, the count of dropped
 * ones kept). Flows live in two generations of MAX_FLOWS / 2: a touched flow moves to the current one, and when it
 * is full the previous generation (the least recently touched flows) is dropped whole. So at least the last
 * MAX_FLOWS / 2 flows touched are always kept, each hop costs O(1), and no per-hop eviction scan is needed (evicting
 * one Map entry per hop from the head made every hop pay for skipping the Map's deleted slots). A hop is a small
 * object of strings and numbers; nothing of the message body is kept.
 */

export type Service = "servicebus" | "eventgrid" | "kafka" | "functions";

export interface Hop {
  /** Order of observation across the emulator (the clock may stand still between hops). */
  seq: number;
  /** Emulator clock, ms since the epoch. */
  at: number;
  service: Service;
  kind: string;
  /** Where: an entity path, `topic/subscription`, `hub/partition`, a function name. */
  where: string;
  /** One line for a human: sequence number, offset, delivery count, reason, duration... */
  detail: string;
  /** Set on failures (dead-lettered, retrying, failed invocation) so the page can mark them. */
  problem?: boolean;
}

export interface FlowIds {
  correlationId?: string;
  traceId?: string;
  /** Used only when neither of the above is known. */
  fallbackId?: string;
}

export interface FlowSummary {
  key: string;
  hops: number;
  firstAt: number;
  lastAt: number;
  last: string;
}

export const MAX_FLOWS = 5000;
export const MAX_HOPS_PER_FLOW = 200;

interface Flow {
  key: string;
  hops: Hop[];
  dropped: number;
}

const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/i;

/** The trace id of a W3C traceparent (or of a Diagnostic-Id, which carries one); undefined otherwise. */
export function traceIdOf(traceparent: unknown): string | undefined {
  if (typeof traceparent !== "string") return undefined;
  const m = TRACEPARENT.exec(traceparent.trim());
  return m ? m[1].toLowerCase() : undefined;
}

export class FlowRecorder {
  /** The flows touched since the last rotation, in touch order; and the generation before it. */
  private current = new Map<string, Flow>();
  private previous = new Map<string, Flow>();
  private seq = 0;
  /** Called with the keys of the flows a hop touched (the live stream marks them changed). */
  onHop: ((keys: readonly string[], service: Service) => void) | undefined;

  constructor(
    private readonly now: () => number,
    private readonly maxFlows = MAX_FLOWS,
    private readonly maxHops = MAX_HOPS_PER_FLOW,
  ) {}

  get size(): number {
    return this.current.size + this.previous.size;
  }

  /**
   * Files a hop under its ids. `startedAt` (emulator clock) is for hops reported once they end, such as a function
   * invocation: the hop goes before the hops that happened while it ran, so the timeline stays in time order.
   */
  record(ids: FlowIds, hop: Omit<Hop, "seq" | "at">, startedAt?: number): void {
    const keys: string[] = [];
    if (ids.correlationId) keys.push(ids.correlationId);
    if (ids.traceId && ids.traceId !== ids.correlationId) keys.push(ids.traceId);
    if (keys.length === 0 && ids.fallbackId) keys.push(ids.fallbackId);
    if (keys.length === 0) {
      this.onHop?.(keys, hop.service); // nothing to file, but the service's counts changed
      return;
    }
    const { service, kind, where, detail } = hop;
    const full: Hop = { seq: ++this.seq, at: startedAt ?? this.now(), service, kind, where, detail };
    if (hop.problem) full.problem = true;
    for (const key of keys) this.file(key, full);
    this.onHop?.(keys, hop.service);
  }

  /** The hops of a flow in the order they happened; undefined when no hop carries that id (or it was dropped). */
  flow(key: string): { key: string; hops: Hop[]; dropped: number } | undefined {
    const flow = this.find(key) ?? this.find(key.toLowerCase());
    return flow ? { key: flow.key, hops: [...flow.hops], dropped: flow.dropped } : undefined;
  }

  /** The most recently touched flows, newest first. */
  recent(limit = 50): FlowSummary[] {
    const out: FlowSummary[] = [];
    const flows = [...[...this.previous.values()].slice(-limit), ...[...this.current.values()].slice(-limit)];
    for (let i = flows.length - 1; i >= 0 && out.length < limit; i--) {
      const flow = flows[i];
      const last = flow.hops[flow.hops.length - 1];
      out.push({
        key: flow.key,
        hops: flow.hops.length + flow.dropped,
        firstAt: flow.hops[0].at,
        lastAt: last.at,
        last: `${last.kind} ${last.where}`,
      });
    }
    return out;
  }

  clear(): void {
    this.current.clear();
    this.previous.clear();
  }

  private find(key: string): Flow | undefined {
    return this.current.get(key) ?? this.previous.get(key);
  }

  private file(key: string, hop: Hop): void {
    // Taken out and set again below: each generation's Map order is the order of last touch.
    let flow = this.current.get(key);
    if (flow) this.current.delete(key);
    else {
      flow = this.previous.get(key);
      if (flow) this.previous.delete(key);
      else flow = { key, hops: [], dropped: 0 };
    }
    let at = flow.hops.length;
    while (at > 0 && flow.hops[at - 1].at >= hop.at && hop.at < this.now()) at--;
    flow.hops.splice(at, 0, hop);
    if (flow.hops.length > this.maxHops) {
      flow.hops.shift();
      flow.dropped++;
    }
    this.current.set(key, flow);
    if (this.current.size >= this.maxFlows / 2) {
      this.previous = this.current;
      this.current = new Map();
    }
  }
}
