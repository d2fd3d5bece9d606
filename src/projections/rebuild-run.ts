/**
 * One rebuild run over Table Storage, for `npm run projections:rebuild` and the system tests: for each read model
 * asked for, a fresh table `<table>r<time>` is filled from the event store, compared with the live table and, with
 * `swap`, the live table is brought to the rebuilt state (src/projections/rebuild.ts says what is kept); the fresh
 * table is then dropped unless `keep`.
 */
import type { TableClient } from "@azure/data-tables";
import { TableEventHistory } from "./event-history.js";
import { type ReadModel, readModelNamed, readModels } from "./read-models.js";
import { type Comparison, compareReadModels, type RebuildResult, rebuildReadModel, type SwapResult, swapInRebuilt } from "./rebuild.js";
import { TableRowStore } from "./table-row-store.js";
import { currentTime } from "../clock.js";

export interface RebuildRunOptions {
  /** Read model names (default: all). */
  names?: readonly string[];
  swap?: boolean;
  keep?: boolean;
  /** A client for a table of the storage account (the event store's `events`, the read models', fresh ones). */
  table(name: string): TableClient;
  eventsTable: string;
  now?: () => Date;
}

export interface RebuildReport {
  readModel: string;
  table: string;
  freshTable: string;
  kept: boolean;
  rebuild: RebuildResult;
  comparison: Comparison;
  swap?: SwapResult;
}

export class UnknownReadModelError extends Error {
  constructor(name: string) {
    super(`Unknown read model "${name}"; the read models are: ${readModels.map((m) => m.name).join(", ")}.`);
    this.name = "UnknownReadModelError";
  }
}

export function selectReadModels(names: readonly string[] = []): ReadModel[] {
  if (names.length === 0) return [...readModels];
  return names.map((name) => {
    const model = readModelNamed(name);
    if (!model) throw new UnknownReadModelError(name);
    return model;
  });
}

/** A new table name: the live one + `r` + the time in base 36 (letters and digits, as Table Storage requires). */
export function freshTableName(table: string, at: Date): string {
  return `${table}r${at.getTime().toString(36)}`.slice(0, 63);
}

export async function runRebuild(options: RebuildRunOptions): Promise<RebuildReport[]> {
  const now = options.now ?? (() => currentTime());
  const history = new TableEventHistory(options.table(options.eventsTable));
  const reports: RebuildReport[] = [];
  for (const model of selectReadModels(options.names)) {
    const startedAt = now();
    const fresh = new TableRowStore(options.table(freshTableName(model.table, startedAt)));
    const live = new TableRowStore(options.table(model.table));
    try {
      const rebuild = await rebuildReadModel(model, history, fresh);
      const comparison = await compareReadModels(live, fresh);
      const swap = options.swap && !comparison.equal ? await swapInRebuilt(live, fresh, startedAt) : undefined;
      reports.push({ readModel: model.name, table: model.table, freshTable: fresh.name, kept: options.keep === true, rebuild, comparison, ...(swap ? { swap } : {}) });
    } finally {
      if (!options.keep) await fresh.drop();
    }
  }
  return reports;
}
