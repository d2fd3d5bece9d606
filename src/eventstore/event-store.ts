/**
 * The event store port. A stream (one aggregate or process instance, e.g. `purchase-<id>`) is an append-only list of
 * events numbered 1, 2, 3...; a commit appends to one stream at an expected version and, in the same atomic write
 * (one entity-group transaction on Table Storage: everything of a commit lives in the stream's partition):
 *   - the outbox records of the messages the commit publishes or sends (the relay delivers them after the commit);
 *   - the inbox record of the message that caused it (consumer name + message id), so a redelivered or duplicated
 *     message cannot commit twice;
 *   - optionally a snapshot of the state at the new version.
 * Implementations: table-event-store.ts (Azure Table Storage) and in-memory-event-store.ts (unit tests); both pass
 * the same contract tests.
 */
import type { CloudEvent } from "../events/envelope.js";

/** An event as the store keeps it: the CloudEvent as written (type may be an older version; readers upcast). */
export interface StoredEvent {
  streamId: string;
  version: number;
  event: CloudEvent;
}

export interface Snapshot<S = unknown> {
  streamId: string;
  /** The stream version the state includes. */
  version: number;
  /** Changes when the state's shape changes, so an old snapshot is ignored instead of misread. */
  schemaVersion: number;
  state: S;
}

/** Where the relay delivers an outbox record. */
export type OutboxChannel = "events" | "commands";

/** A message to deliver after the commit: an event of the stream, a command, or a scheduled timeout. */
export interface OutboxMessage {
  /** The Service Bus MessageId: the CloudEvent id, so a second publish is dropped by duplicate detection. */
  message: CloudEvent;
  channel: OutboxChannel;
  /** Service Bus session id (per-purchase ordering for session-enabled subscriptions). */
  sessionId?: string;
  /** Kafka record key (events only; the stream id keeps a stream's events in order on one partition). */
  partitionKey?: string;
  /** Deliver no earlier than this (a scheduled Service Bus message). */
  scheduledFor?: string;
}

export interface OutboxRecord extends OutboxMessage {
  streamId: string;
  /** Unique within the stream; the Table Storage RowKey of the record. */
  recordId: string;
  createdAt: string;
}

export interface InboxEntry {
  consumer: string;
  messageId: string;
}

export interface Commit {
  streamId: string;
  /** The version the writer read (0 for a new stream); a different current version fails with WrongExpectedVersionError. */
  expectedVersion: number;
  events: CloudEvent[];
  outbox?: OutboxMessage[];
  inbox?: InboxEntry;
  snapshot?: Omit<Snapshot, "streamId">;
}

export interface CommitResult {
  streamId: string;
  /** The stream's version after the commit. */
  version: number;
  outbox: OutboxRecord[];
}

export interface ReadStreamOptions {
  afterVersion?: number;
  /** Read no event past this version (the read's `version` is then at most this). */
  toVersion?: number;
  inbox?: InboxEntry;
  /** Also return the latest snapshot, in the same read: a stream's first load costs one round trip, not two. */
  snapshot?: boolean;
}

export interface StreamRead {
  version: number;
  events: StoredEvent[];
  /** Only when asked with `inbox`: whether its message was already handled in this stream. */
  handled?: boolean;
  /** Only when asked with `snapshot` and one exists. */
  snapshot?: Snapshot;
}

export interface EventStore {
  /**
   * The stream's events with version > `afterVersion` (default 0), in order. An unknown stream is empty, version 0.
   * With `inbox`, also whether that consumer already committed the effect of that message here (`handled`), in the
   * same read.
   */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<StreamRead>;
  readSnapshot(streamId: string): Promise<Snapshot | undefined>;
  commit(commit: Commit): Promise<CommitResult>;
  /** Outbox records not yet marked sent, oldest first, created at or before `createdBefore` (default: all). */
  pendingOutbox(options?: { createdBefore?: Date; limit?: number }): Promise<OutboxRecord[]>;
  markSent(records: readonly Pick<OutboxRecord, "streamId" | "recordId">[]): Promise<void>;
}

/** The stream moved on since the writer read it (another writer committed first). */
export class WrongExpectedVersionError extends Error {
  readonly code = "WrongExpectedVersion";
  constructor(
    readonly streamId: string,
    readonly expectedVersion: number,
    readonly actualVersion?: number,
  ) {
    super(`Stream ${streamId} is not at version ${expectedVersion}${actualVersion === undefined ? "" : ` (it is at ${actualVersion})`}.`);
    this.name = "WrongExpectedVersionError";
  }
}

/** The inbox already holds this message for this consumer: its effect was committed before. */
export class DuplicateMessageError extends Error {
  readonly code = "DuplicateMessage";
  constructor(
    readonly streamId: string,
    readonly inbox: InboxEntry,
  ) {
    super(`${inbox.consumer} already handled message ${inbox.messageId} in stream ${streamId}.`);
    this.name = "DuplicateMessageError";
  }
}
