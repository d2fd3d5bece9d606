/**
 * The projections consumer's work (functions/projections.ts runs it on the `projections` subscription of the
 * `events` topic): one domain event in, applied to every read model that reads it, concurrently. Each read model
 * is idempotent and ordered on its own (stream versions, markers), so a redelivery after a partial failure
 * re-applies only what was missing. A body that is not a domain event with its stream position throws
 * InvalidMessageError: Service Bus retries it and then dead-letters it.
 */
import type { EventStore } from "../eventstore/event-store.js";
import { projectedEventOf, type ProjectedEvent } from "./projected-event.js";
import { projectionEventNames, type ReadModel, readModels } from "./read-models.js";
import { KeyedBatcher } from "./keyed-batcher.js";
import { RowCache } from "./row-cache.js";
import type { RowStore } from "./row-store.js";
import type { ApplyOutcome } from "./stream-projection.js";

export const projectionsConsumerName = "projections";

export interface ProjectionOutcome {
  event: ProjectedEvent;
  outcomes: { readModel: string; outcome: ApplyOutcome }[];
}

export class Projector {
  /** Per read model: concurrent deliveries for one row go in one write (see keyed-batcher.ts). */
  private readonly batchers = new Map<ReadModel, KeyedBatcher<ProjectedEvent, ApplyOutcome>>();
  /** The rows this worker wrote last, so the next event for one writes without reading it (see row-cache.ts). */
  private readonly cache = new RowCache();

  constructor(
    /** Each read model's table, by read model name. */
    private readonly tables: (model: ReadModel) => RowStore,
    private readonly store: Pick<EventStore, "readStream">,
    private readonly models: readonly ReadModel[] = readModels,
  ) {}

  async handle(body: unknown): Promise<ProjectionOutcome> {
    return this.apply(projectedEventOf(body, projectionEventNames));
  }

  async apply(event: ProjectedEvent): Promise<ProjectionOutcome> {
    const interested = this.models.filter((m) => m.reads(event));
    const outcomes = await Promise.all(interested.map(async (m) => ({ readModel: m.name, outcome: await this.batcher(m).submit(m.keyOf(event), event) })));
    return { event, outcomes };
  }

  private batcher(model: ReadModel): KeyedBatcher<ProjectedEvent, ApplyOutcome> {
    let batcher = this.batchers.get(model);
    if (!batcher) {
      batcher = new KeyedBatcher((_key, events) => model.applyAll(events, this.tables(model), this.store, this.cache), model.maxBatch);
      this.batchers.set(model, batcher);
    }
    return batcher;
  }
}

/** One log line: what each read model did with the event. */
export function describeOutcome({ event, outcomes }: ProjectionOutcome): string {
  const parts = outcomes.map(({ readModel, outcome }) => `${readModel} ${outcome.status}${outcome.status === "caught-up" ? ` (${outcome.read} read)` : ""} v${outcome.version}`);
  return `${event.name} ${event.id}: ${parts.join(", ") || "no read model"}`;
}
