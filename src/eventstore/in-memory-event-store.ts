/**
 * The event store in memory, for unit tests and the functions' tests of pure logic: the same semantics as the Table
 * Storage store (the shared contract tests run against both), with copies in and out so a caller cannot change
 * what was stored.
 */
import type { CloudEvent } from "../events/envelope.js";
import {
  type Commit,
  type CommitResult,
  DuplicateMessageError,
  type EventStore,
  type InboxEntry,
  type OutboxRecord,
  type ReadStreamOptions,
  type Snapshot,
  type StoredEvent,
  type StreamRead,
  WrongExpectedVersionError,
} from "./event-store.js";
import { byCreation, toOutboxRecords } from "./outbox-records.js";
import { currentTime } from "../clock.js";

interface Stream {
  events: StoredEvent[];
  snapshot?: Snapshot;
  outbox: Map<string, OutboxRecord>;
  inbox: Set<string>;
}

const inboxKey = (entry: InboxEntry): string => `${entry.consumer}\n${entry.messageId}`;

export class InMemoryEventStore implements EventStore {
  private readonly streams = new Map<string, Stream>();
  /** Every commit attempt, successful or not: tests count round trips with it. */
  commits = 0;

  constructor(private readonly now: () => Date = () => currentTime()) {}

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StreamRead> {
    const stream = this.streams.get(streamId);
    const handled = options.inbox ? { handled: stream?.inbox.has(inboxKey(options.inbox)) ?? false } : {};
    if (!stream) return { version: 0, events: [], ...handled };
    const after = options.afterVersion ?? 0;
    const to = Math.min(options.toVersion ?? Infinity, stream.events.length);
    const snapshot = options.snapshot && stream.snapshot ? { snapshot: structuredClone(stream.snapshot) } : {};
    const events = stream.events.slice(after, to).map((e) => structuredClone(e));
    return { version: to, events, ...handled, ...snapshot };
  }

  async readSnapshot(streamId: string): Promise<Snapshot | undefined> {
    const snapshot = this.streams.get(streamId)?.snapshot;
    return snapshot && structuredClone(snapshot);
  }

  async commit(commit: Commit): Promise<CommitResult> {
    this.commits++;
    const stream = this.streams.get(commit.streamId);
    const version = stream?.events.length ?? 0;
    // Same rule as the Table store: a commit with events must be at exactly the expected version; one without
    // events (only outbox and inbox rows) needs the stream to have reached it.
    const conflict = commit.events.length > 0 ? version !== commit.expectedVersion : version < commit.expectedVersion;
    if (commit.inbox && stream?.inbox.has(inboxKey(commit.inbox))) throw new DuplicateMessageError(commit.streamId, commit.inbox);
    if (conflict) throw new WrongExpectedVersionError(commit.streamId, commit.expectedVersion, version);

    const target: Stream = stream ?? { events: [], outbox: new Map(), inbox: new Set() };
    if (!stream) this.streams.set(commit.streamId, target);
    commit.events.forEach((event: CloudEvent, i) => target.events.push({ streamId: commit.streamId, version: commit.expectedVersion + i + 1, event: structuredClone(event) }));
    const outbox = toOutboxRecords(commit.streamId, commit.outbox ?? [], this.now());
    for (const record of outbox) target.outbox.set(record.recordId, structuredClone(record));
    if (commit.inbox) target.inbox.add(inboxKey(commit.inbox));
    if (commit.snapshot) target.snapshot = { ...structuredClone(commit.snapshot), streamId: commit.streamId };
    return { streamId: commit.streamId, version: target.events.length, outbox };
  }


  async pendingOutbox(options: { createdBefore?: Date; limit?: number } = {}): Promise<OutboxRecord[]> {
    const before = options.createdBefore?.toISOString();
    const pending: OutboxRecord[] = [];
    for (const stream of this.streams.values()) {
      for (const record of stream.outbox.values()) if (before === undefined || record.createdAt <= before) pending.push(structuredClone(record));
    }
    return pending.sort(byCreation).slice(0, options.limit ?? Infinity);
  }

  async markSent(records: readonly Pick<OutboxRecord, "streamId" | "recordId">[]): Promise<void> {
    for (const r of records) this.streams.get(r.streamId)?.outbox.delete(r.recordId);
  }
}
