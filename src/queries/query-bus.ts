/**
 * The query bus: one handler per query, each answering from a read model with the data and the read model's
 * version; the bus adds read-your-writes. A caller that just wrote something (and was told the version its write
 * makes, e.g. purchase version 1 in the 202 of POST /api/purchases) asks with `minVersion`: the bus asks the handler
 * again, cheaply and a bounded number of times, until the read model has caught up, and otherwise answers with what
 * it has, marked stale, so the caller decides (poll again, or show it with a note).
 *
 *   const bus = new QueryBus<ReadModelQueries>();
 *   bus.register("PurchaseStatus", ({ purchaseId }) => readPurchaseStatus(rows, purchaseId));
 *   const answer = await bus.ask("PurchaseStatus", { purchaseId }, { minVersion: 1 });
 *   // { found: true, version: 1, data: {...}, stale: false }
 */

/** What a handler answers: the data and the version of the read model it was read from, or nothing found. */
export type QueryResult<R> = { version: number; data: R } | undefined;

export type QueryHandler<P, R> = (params: P) => Promise<QueryResult<R>>;

export interface QueryDefinition {
  params: object;
  result: unknown;
}

export type QueryAnswer<R> =
  | { found: true; version: number; data: R; stale: boolean; waitedMs: number }
  /** Nothing in the read model; `stale` when the caller expected something (it asked for a minVersion). */
  | { found: false; stale: boolean; waitedMs: number };

export interface Consistency {
  /** Wait until the read model is at least at this version. */
  minVersion?: number;
  /** How long at most (default the bus's, 5 s). */
  maxWaitMs?: number;
}

export interface QueryBusOptions {
  maxWaitMs?: number;
  /** Pauses between asks: short first (most writes land within milliseconds), then no more than this. */
  maxPollIntervalMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export class UnknownQueryError extends Error {
  constructor(name: string) {
    super(`No handler is registered for query ${name}.`);
    this.name = "UnknownQueryError";
  }
}

export class QueryBus<Q extends { [K in keyof Q]: QueryDefinition }> {
  private readonly handlers = new Map<keyof Q, QueryHandler<never, unknown>>();
  private readonly maxWaitMs: number;
  private readonly maxPollIntervalMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: QueryBusOptions = {}) {
    this.maxWaitMs = options.maxWaitMs ?? 5_000;
    this.maxPollIntervalMs = options.maxPollIntervalMs ?? 250;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  register<K extends keyof Q>(name: K, handler: QueryHandler<Q[K]["params"], Q[K]["result"]>): this {
    if (this.handlers.has(name)) throw new Error(`Query ${String(name)} already has a handler.`);
    this.handlers.set(name, handler as QueryHandler<never, unknown>);
    return this;
  }

  async ask<K extends keyof Q>(name: K, params: Q[K]["params"], consistency: Consistency = {}): Promise<QueryAnswer<Q[K]["result"]>> {
    const handler = this.handlers.get(name) as QueryHandler<Q[K]["params"], Q[K]["result"]> | undefined;
    if (!handler) throw new UnknownQueryError(String(name));
    const { minVersion } = consistency;
    const started = this.now();
    const deadline = started + (consistency.maxWaitMs ?? this.maxWaitMs);
    for (let interval = 10; ; interval = Math.min(interval * 2, this.maxPollIntervalMs)) {
      const result = await handler(params);
      const caughtUp = minVersion === undefined || (result !== undefined && result.version >= minVersion);
      const left = deadline - this.now();
      if (caughtUp || left <= 0) {
        const waitedMs = this.now() - started;
        return result ? { found: true, version: result.version, data: result.data, stale: !caughtUp, waitedMs } : { found: false, stale: !caughtUp, waitedMs };
      }
      await this.sleep(Math.min(interval, left));
    }
  }
}
