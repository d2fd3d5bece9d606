/**
 * The event store on Azure Table Storage (Azurite locally), table `events`, one partition per stream:
 *
 *   e:<version, 10 digits>   an event (the CloudEvent as written, JSON)
 *   s:                       the latest snapshot
 *   o:<record id>            an outbox record not yet sent (deleted once sent)
 *   i:<consumer>:<msg id>    an inbox entry: the consumer committed the effect of that message
 *
 * A commit is one entity-group transaction in the stream's partition, so its events, outbox records, inbox entry and
 * snapshot are written together or not at all. The expected version is checked by the same transaction: it inserts
 * `e:<expected+1>...` (fails if another writer got there first) and touches `e:<expected>` with an update that
 * requires the row to exist (fails if the writer is ahead of the stream). Inserting the inbox row fails when the
 * message was handled before; a failed transaction is then told apart by reading the inbox row.
 *
 * Pending outbox records are found with a RowKey range query across partitions. An index partition of its own
 * would be cheaper to query but cannot be written in the commit's transaction (one partition per transaction), so it
 * could miss or invent records after a crash; markSent deletes the records (with the stream's next commit, or a
 * moment later: sent-outbox-rows.ts), so the scan sees only pending ones.
 */
import { type TableClient, type TableEntityResult, type TransactionAction, odata, RestError } from "@azure/data-tables";
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
import { LazyTable } from "../storage/table-client.js";
import { keySafe, toOutboxRecords } from "./outbox-records.js";
import { SentOutboxRows } from "./sent-outbox-rows.js";
import { EntityTooLargeError, jsonChars, jsonProperties, readJson } from "./table-json.js";
import { currentTime } from "../clock.js";

const MAX_ACTIONS = 100;
/** 4 MiB per transaction, strings at 2 bytes a character, with room for the multipart envelope. */
const MAX_TRANSACTION_CHARS = 1_800_000;

export const eventRowKey = (version: number): string => `e:${String(version).padStart(10, "0")}`;
const SNAPSHOT_ROW = "s:";
const outboxRowKey = (recordId: string): string => `o:${recordId}`;
const inboxRowKey = (entry: InboxEntry): string => `i:${keySafe(entry.consumer)}:${keySafe(entry.messageId)}`;

export class CommitTooLargeError extends Error {
  readonly code = "CommitTooLarge";
  constructor(streamId: string, detail: string) {
    super(`The commit to stream ${streamId} does not fit in one Table Storage transaction: ${detail}.`);
    this.name = "CommitTooLargeError";
  }
}

type Row = TableEntityResult<Record<string, unknown>>;

export interface TableEventStoreOptions {
  now?: () => Date;
  /** How long sent outbox rows wait for their stream's next commit to delete them (default 1,500 ms). */
  sentRowsDelayMs?: number;
  /** Sent outbox rows a delete failed for (left for the sweeper, which delivers them again). */
  onSentRowsError?: (error: unknown, streamId: string, rows: number) => void;
  /** Called when a snapshot is left out because it is too large for an entity (the stream is then replayed). */
  onSnapshotSkipped?: (streamId: string, error: EntityTooLargeError) => void;
}

export class TableEventStore implements EventStore {
  private readonly now: () => Date;
  private readonly table: LazyTable;
  private readonly sent: SentOutboxRows;

  constructor(
    table: TableClient,
    private readonly options: TableEventStoreOptions = {},
  ) {
    this.table = new LazyTable(table);
    this.now = options.now ?? (() => currentTime());
    this.sent = new SentOutboxRows({
      remove: (partitionKey, rowKeys) => this.deleteRows(partitionKey, rowKeys),
      ...(options.sentRowsDelayMs === undefined ? {} : { delayMs: options.sentRowsDelayMs }),
      onError: (err, streamId, rowKeys) => options.onSentRowsError?.(err, streamId, rowKeys.length),
    });
  }

  /** Creates the table when it does not exist (once per instance). */
  private client(): Promise<TableClient> {
    return this.table.use();
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StreamRead> {
    const after = options.afterVersion ?? 0;
    const table = await this.client();
    // From `after` itself (when > 0): its presence confirms the stream's version when nothing follows it. The inbox
    // row and the snapshot row, when asked for, come in the same query (same partition): one round trip for a
    // handler's whole read.
    const inboxRow = options.inbox && inboxRowKey(options.inbox);
    const to = options.toVersion;
    const end = to === undefined ? odata`RowKey lt ${"e;"}` : odata`RowKey le ${eventRowKey(to)}`;
    const extra: string[] = [];
    if (inboxRow) extra.push(odata`RowKey eq ${inboxRow}`);
    if (options.snapshot) extra.push(odata`RowKey eq ${SNAPSHOT_ROW}`);
    const events$ = odata`RowKey ge ${eventRowKey(after)} and ` + end;
    const rows$ = extra.length ? `((${events$}) or ${extra.join(" or ")})` : events$;
    const filter = odata`PartitionKey eq ${streamId} and ` + rows$;
    const events: StoredEvent[] = [];
    let version = 0;
    let handled = false;
    let snapshot: Snapshot | undefined;
    for await (const row of table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      if (row.rowKey === inboxRow) handled = true;
      else if (row.rowKey === SNAPSHOT_ROW) snapshot = toSnapshot(streamId, row);
      else {
        version = Number(String(row.rowKey).slice(2));
        if (version > after) events.push({ streamId, version, event: readJson<CloudEvent>(row, "event") });
      }
    }
    return { version, events, ...(inboxRow ? { handled } : {}), ...(snapshot ? { snapshot } : {}) };
  }

  async readSnapshot(streamId: string): Promise<Snapshot | undefined> {
    const row = await this.get(streamId, SNAPSHOT_ROW);
    return row && toSnapshot(streamId, row);
  }

  async commit(commit: Commit): Promise<CommitResult> {
    const { streamId, expectedVersion, events } = commit;
    const partitionKey = streamId;
    const actions: TransactionAction[] = [];
    events.forEach((event, i) => {
      const version = expectedVersion + i + 1;
      actions.push(["create", { partitionKey, rowKey: eventRowKey(version), type: event.type, eventId: event.id, ...jsonProperties("event", event, `Event ${event.id} (${event.type})`) }]);
    });
    // Requires the row to exist: a writer ahead of the stream fails. A Merge without properties changes nothing else.
    if (expectedVersion > 0) actions.push(["update", { partitionKey, rowKey: eventRowKey(expectedVersion) }, "Merge"]);
    const outbox = toOutboxRecords(streamId, commit.outbox ?? [], this.now());
    outbox.forEach((record, seq) => {
      const { message, channel, sessionId, partitionKey: key, scheduledFor, createdAt } = record;
      const optional = { ...(sessionId === undefined ? {} : { sessionId }), ...(key === undefined ? {} : { kafkaKey: key }), ...(scheduledFor === undefined ? {} : { scheduledFor }) };
      // Upsert: the same message produced again (same id) rewrites its own record instead of failing the commit.
      actions.push(["upsert", { partitionKey, rowKey: outboxRowKey(record.recordId), recordId: record.recordId, channel, createdAt, seq, ...optional, ...jsonProperties("message", message, `Outbox message ${message.id}`) }, "Replace"]);
    });
    if (commit.inbox) actions.push(["create", { partitionKey, rowKey: inboxRowKey(commit.inbox), consumer: commit.inbox.consumer, messageId: commit.inbox.messageId }]);
    if (commit.snapshot) {
      try {
        const { version, schemaVersion, state } = commit.snapshot;
        actions.push(["upsert", { partitionKey, rowKey: SNAPSHOT_ROW, version, schemaVersion, ...jsonProperties("state", state, `The snapshot of ${streamId}`) }, "Replace"]);
      } catch (err) {
        // A snapshot only saves reading: without it the commit still holds everything and loads replay the events.
        if (!(err instanceof EntityTooLargeError)) throw err;
        this.options.onSnapshotSkipped?.(streamId, err);
      }
    }
    if (actions.length === 0) return { streamId, version: expectedVersion, outbox };
    if (actions.length > MAX_ACTIONS) throw new CommitTooLargeError(streamId, `${actions.length} rows, at most ${MAX_ACTIONS}`);
    const chars = actions.reduce((n, a) => n + jsonChars(a[1]), 0);
    if (chars > MAX_TRANSACTION_CHARS) throw new CommitTooLargeError(streamId, `${chars} characters, at most ${MAX_TRANSACTION_CHARS}`);

    const table = await this.client();
    // The stream's outbox rows sent since its last commit go in the same transaction (sent-outbox-rows.ts).
    const rewritten = new Set(outbox.map((record) => outboxRowKey(record.recordId)));
    const deletes = this.sent.take(partitionKey, MAX_ACTIONS - actions.length, rewritten);
    const cleanup = deletes.map((rowKey): TransactionAction => ["delete", { partitionKey, rowKey }]);
    try {
      await table.submitTransaction([...actions, ...cleanup]);
    } catch (err) {
      if (deletes.length === 0) throw await this.explain(err, commit);
      this.sent.add(partitionKey, deletes);
      // A 404 may be a sent row someone else deleted first: the commit alone decides.
      if (!(err instanceof RestError && err.statusCode === 404)) throw await this.explain(err, commit);
      try {
        await table.submitTransaction(actions);
      } catch (again) {
        throw await this.explain(again, commit);
      }
    }
    return { streamId, version: expectedVersion + events.length, outbox };
  }

  /** Why a transaction failed: a duplicate message, a version conflict, or the original error. */
  private async explain(err: unknown, commit: Commit): Promise<unknown> {
    if (!(err instanceof RestError) || (err.statusCode !== 409 && err.statusCode !== 404)) return err;
    if (commit.inbox && (await this.get(commit.streamId, inboxRowKey(commit.inbox))) !== undefined) return new DuplicateMessageError(commit.streamId, commit.inbox);
    const table = await this.client();
    const filter = odata`PartitionKey eq ${commit.streamId} and RowKey ge ${eventRowKey(Math.max(commit.expectedVersion, 1))} and RowKey lt ${"e;"}`;
    let actual: number | undefined;
    for await (const row of table.listEntities({ queryOptions: { filter, select: ["RowKey"] } })) actual = Number(row.rowKey!.slice(2));
    return new WrongExpectedVersionError(commit.streamId, commit.expectedVersion, actual);
  }


  async pendingOutbox(options: { createdBefore?: Date; limit?: number } = {}): Promise<OutboxRecord[]> {
    const table = await this.client();
    let filter = odata`RowKey ge ${"o:"} and RowKey lt ${"o;"}`;
    if (options.createdBefore) filter += odata` and createdAt le ${options.createdBefore.toISOString()}`;
    const rows: Row[] = [];
    for await (const row of table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      if (!this.sent.isSent(String(row.partitionKey), String(row.rowKey))) rows.push(row);
    }
    rows.sort((a, b) => compare(String(a.createdAt), String(b.createdAt)) || compare(String(a.partitionKey), String(b.partitionKey)) || Number(a.seq) - Number(b.seq));
    return rows.slice(0, options.limit ?? Infinity).map(toOutboxRecord);
  }

  /** Sent records leave this process' pending outbox at once and the table with the stream's next commit or soon. */
  async markSent(records: readonly Pick<OutboxRecord, "streamId" | "recordId">[]): Promise<void> {
    const byStream = new Map<string, string[]>();
    for (const r of records) byStream.set(r.streamId, [...(byStream.get(r.streamId) ?? []), outboxRowKey(r.recordId)]);
    for (const [streamId, rowKeys] of byStream) this.sent.add(streamId, rowKeys);
  }

  /** Deletes the sent outbox rows still waiting for a commit of their stream. */
  flushSent(): Promise<void> {
    return this.sent.flush();
  }

  private async deleteRows(partitionKey: string, rowKeys: readonly string[]): Promise<void> {
    const table = await this.client();
    const unique = [...new Set(rowKeys)];
    if (unique.length > 1 && unique.length <= MAX_ACTIONS) {
      try {
        await table.submitTransaction(unique.map((rowKey): TransactionAction => ["delete", { partitionKey, rowKey }]));
        return;
      } catch (err) {
        // One of them was already deleted (a relay and the sweeper raced): delete the rest one by one.
        if (!(err instanceof RestError && err.statusCode === 404)) throw err;
      }
    }
    await Promise.all(unique.map((rowKey) => table.deleteEntity(partitionKey, rowKey).catch(ignoreNotFound)));
  }

  private async get(partitionKey: string, rowKey: string): Promise<Row | undefined> {
    const table = await this.client();
    try {
      return await table.getEntity<Record<string, unknown>>(partitionKey, rowKey);
    } catch (err) {
      if (err instanceof RestError && err.statusCode === 404) return undefined;
      throw err;
    }
  }
}

function toSnapshot(streamId: string, row: Row): Snapshot {
  const state = readJson(row, "state");
  return { streamId, version: Number(row.version), schemaVersion: Number(row.schemaVersion), state };
}

function toOutboxRecord(row: Row): OutboxRecord {
  return {
    streamId: String(row.partitionKey),
    recordId: String(row.recordId),
    createdAt: String(row.createdAt),
    channel: row.channel as OutboxRecord["channel"],
    message: readJson<CloudEvent>(row, "message"),
    ...(typeof row.sessionId === "string" ? { sessionId: row.sessionId } : {}),
    ...(typeof row.kafkaKey === "string" ? { partitionKey: row.kafkaKey } : {}),
    ...(typeof row.scheduledFor === "string" ? { scheduledFor: row.scheduledFor } : {}),
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function ignoreNotFound(err: unknown): void {
  if (!(err instanceof RestError && err.statusCode === 404)) throw err;
}
