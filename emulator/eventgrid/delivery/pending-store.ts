/**
 * Durable mode: events that wait for delivery are journaled under the data directory, one append-only file per
 * subscription (`add` lines with the event, `done` lines with internal ids), so a restart re-delivers what was not
 * delivered or dead-lettered yet. The journal is compacted when it is loaded.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { AcceptedEvent } from "../model/events.js";

export interface PendingStore {
  add(subscription: string, events: AcceptedEvent[]): void;
  remove(subscription: string, internalIds: string[]): void;
  /** Events still pending for a subscription (in publish order), compacting its journal. */
  load(subscription: string): AcceptedEvent[];
}

type Line = { add: AcceptedEvent } | { done: string[] };

export class FilePendingStore implements PendingStore {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  private file(subscription: string): string {
    return path.join(this.dir, `${subscription.toLowerCase()}.jsonl`);
  }

  add(subscription: string, events: AcceptedEvent[]): void {
    appendFileSync(this.file(subscription), events.map((e) => JSON.stringify({ add: e } satisfies Line)).join("\n") + "\n");
  }

  remove(subscription: string, internalIds: string[]): void {
    appendFileSync(this.file(subscription), JSON.stringify({ done: internalIds } satisfies Line) + "\n");
  }

  load(subscription: string): AcceptedEvent[] {
    const file = this.file(subscription);
    if (!existsSync(file)) return [];
    const pending = new Map<string, AcceptedEvent>();
    for (const text of readFileSync(file, "utf8").split("\n")) {
      if (!text.trim()) continue;
      let line: Line;
      try {
        line = JSON.parse(text) as Line;
      } catch {
        continue; // a torn last line after a crash
      }
      if ("add" in line) pending.set(line.add.internalId, line.add);
      else for (const id of line.done) pending.delete(id);
    }
    const events = [...pending.values()];
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, events.map((e) => JSON.stringify({ add: e } satisfies Line) + "\n").join(""));
    renameSync(tmp, file);
    return events;
  }
}
