/**
 * Durable mode (`--data-dir`): the Service Bus namespace's state in one write-ahead log, `${dataDir}/servicebus/wal.log`.
 * Every change the model makes through its storage seam (record-store.ts) becomes a log record: entity topology,
 * messages added, updated (state, delivery count, properties) and deleted, session states, sequence-number
 * high-water marks. On start the log is replayed into memory (reads are always served from memory) and, when it has
 * grown much bigger than the live data, rewritten as a snapshot; the same happens at run time past 64 MB.
 *
 * Why a hand-written log and not SQLite: Node 20 has no `node:sqlite`, and `better-sqlite3` is a native addon whose
 * prebuilt binary cannot be downloaded here and whose source build needs install scripts this machine's npm holds
 * back, so SQLite could not be installed, let alone measured. What was measured (write-ahead-log.ts): one fsync per
 * record gives ~490 records/s on this disk, one fsync shared by 100 records ~40,000/s. So the log commits in groups
 * (every change of one event-loop turn, and those arriving during a sync, share one fdatasync), and replies that
 * promise durability (a send's `accepted`, a settlement, a `$management` answer) wait for that sync (`durable()`).
 *
 * What survives a restart: entities (config and administration API), every message whose send was acknowledged, its
 * state (active, deferred, scheduled, dead-lettered), delivery count and modified properties, session states and
 * sequence numbers (they continue upwards, possibly past a gap). Lock tokens do not: a message locked at the crash is
 * available again, with the delivery count it had. Duplicate-detection history is not kept.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "../../common/logger.js";
import type { ServiceBusNamespaceConfig } from "../config.js";
import type { MessagePayload } from "../model/message-payload.js";
import type { MessageRecord } from "../model/message-record.js";
import type { Namespace } from "../model/namespace.js";
import { type EntityStorage, InMemoryRecordStore, type RecordStore, type SequenceNumbers } from "../model/record-store.js";
import { decodeRecord, encodeAdd, encodeDelete, encodeDrop, encodeSequenceMark, encodeSessionState, encodeTopology, encodeUpdate, LogType, type StoredMessage } from "./log-records.js";
import { topologyFromJson, topologyOf, topologyToJson } from "./topology.js";
import { WriteAheadLog } from "./write-ahead-log.js";

/** How a message's content becomes bytes in the log and back (the protocol layer supplies it). */
export interface PayloadCodec {
  encode(payload: MessagePayload): Buffer;
  decode(bytes: Buffer): MessagePayload;
}

/** Sequence numbers are reserved in blocks, so the log carries one mark per block, not one per message. */
const SEQUENCE_BLOCK = 1000;
/** Rewrite at run time once the log is this big and four times the live data. */
const RUNTIME_COMPACTION_BYTES = 64 * 1024 * 1024;
/** Rewrite at start once the log is this big and twice the live data. */
const START_COMPACTION_BYTES = 1024 * 1024;
/** Log bytes of a message besides its payload, roughly. */
const RECORD_OVERHEAD = 64;

interface ReplayedStore {
  messages: Map<number, { message: StoredMessage; payload: Buffer }>;
  states: Map<string, Buffer>;
}

/** What was last written for a message, so an update that changes nothing durable writes nothing. */
interface Logged {
  payload: MessagePayload;
  deliveryCount: number;
  state: MessageRecord["state"];
  bytes: number;
}

class DurableRecordStore implements RecordStore {
  readonly inner = new InMemoryRecordStore();
  readonly logged = new Map<number, Logged>();
  dropped = false;

  constructor(
    readonly path: string,
    private readonly owner: DurableStorage,
  ) {}

  get size(): number {
    return this.inner.size;
  }

  get(sequenceNumber: number): MessageRecord | undefined {
    return this.inner.get(sequenceNumber);
  }

  add(record: MessageRecord): void {
    this.inner.add(record);
    const payload = this.owner.codec.encode(record.payload);
    this.write(encodeAdd(this.path, record, payload));
    this.remember(record, payload.length);
  }

  /** Puts a message back from the log, writing nothing. */
  restore(record: MessageRecord, payloadBytes: number): void {
    this.inner.add(record);
    this.remember(record, payloadBytes);
  }

  private remember(record: MessageRecord, payloadBytes: number): void {
    const bytes = payloadBytes + RECORD_OVERHEAD;
    this.logged.set(record.sequenceNumber, { payload: record.payload, deliveryCount: record.deliveryCount, state: record.state, bytes });
    this.owner.liveBytes += bytes;
  }

  update(record: MessageRecord): void {
    const logged = this.logged.get(record.sequenceNumber);
    if (!logged) return;
    const payloadChanged = logged.payload !== record.payload;
    if (!payloadChanged && logged.deliveryCount === record.deliveryCount && logged.state === record.state) return;
    const payload = payloadChanged ? this.owner.codec.encode(record.payload) : undefined;
    this.write(encodeUpdate(this.path, record.sequenceNumber, record.deliveryCount, record.state, payload));
    logged.payload = record.payload;
    logged.deliveryCount = record.deliveryCount;
    logged.state = record.state;
  }

  delete(sequenceNumber: number): boolean {
    if (!this.inner.delete(sequenceNumber)) return false;
    this.write(encodeDelete(this.path, sequenceNumber));
    const logged = this.logged.get(sequenceNumber);
    if (logged) this.owner.liveBytes -= logged.bytes;
    this.logged.delete(sequenceNumber);
    this.owner.maybeCompact();
    return true;
  }

  from(sequenceNumber: number): Iterable<MessageRecord> {
    return this.inner.from(sequenceNumber);
  }

  values(): Iterable<MessageRecord> {
    return this.inner.values();
  }

  sessionState(sessionId: string): Buffer | undefined {
    return this.inner.sessionState(sessionId);
  }

  setSessionState(sessionId: string, state: Buffer | undefined): void {
    this.inner.setSessionState(sessionId, state);
    this.trackState(sessionId);
    this.write(encodeSessionState(this.path, sessionId, state));
  }

  /** Writes to the log unless the entity is gone (a late settlement on a deleted queue's link must not revive it). */
  private write(body: Buffer): void {
    if (!this.dropped) this.owner.append(body);
  }

  /** The records that rebuild this store, for a snapshot. */
  *snapshot(): Iterable<Buffer> {
    for (const record of this.inner.from(0)) yield encodeAdd(this.path, record, this.owner.codec.encode(record.payload));
    for (const [id, state] of this.states()) yield encodeSessionState(this.path, id, state);
  }

  private readonly stateIds = new Set<string>();

  /** Session ids whose state was set (InMemoryRecordStore does not list them). */
  private *states(): Iterable<[string, Buffer]> {
    for (const id of this.stateIds) {
      const state = this.inner.sessionState(id);
      if (state !== undefined) yield [id, state];
    }
  }

  trackState(sessionId: string): void {
    this.stateIds.add(sessionId);
  }
}

class DurableSequenceNumbers implements SequenceNumbers {
  constructor(
    readonly path: string,
    private last: number,
    private reserved: number,
    private readonly owner: DurableStorage,
  ) {}

  next(): number {
    const n = ++this.last;
    if (n > this.reserved) {
      this.reserved = n + SEQUENCE_BLOCK - 1;
      this.owner.append(encodeSequenceMark(this.path, this.reserved));
    }
    return n;
  }

  get mark(): number {
    return this.reserved;
  }
}

export class DurableStorage implements EntityStorage {
  private readonly stores = new Map<string, DurableRecordStore>();
  private readonly counters = new Map<string, DurableSequenceNumbers>();
  private replayed = new Map<string, ReplayedStore>();
  private readonly marks = new Map<string, number>();
  private started = false;
  private compactionScheduled = false;
  private namespace: Namespace | undefined;
  /** Log bytes the live messages would take in a snapshot (roughly). */
  liveBytes = 0;
  /** The entities the log holds (undefined on a first start). */
  readonly storedTopology: ServiceBusNamespaceConfig | undefined;

  private constructor(
    private readonly log: WriteAheadLog,
    bodies: Buffer[],
    readonly codec: PayloadCodec,
    private readonly logger: Logger,
  ) {
    let topology: string | undefined;
    let unreadable = 0;
    for (const body of bodies) {
      try {
        topology = this.replay(body) ?? topology;
      } catch (err) {
        unreadable++;
        if (unreadable === 1) logger.warn("skipped an unreadable log record", { error: (err as Error).message });
      }
    }
    this.storedTopology = topology === undefined ? undefined : topologyFromJson(topology);
  }

  /** Opens `${dataDir}/servicebus/` and replays its log; build the namespace next, then call start(). */
  static open(dataDir: string, codec: PayloadCodec, logger: Logger): DurableStorage {
    const dir = join(dataDir, "servicebus");
    mkdirSync(dir, { recursive: true });
    const { log, bodies, droppedBytes } = WriteAheadLog.open(join(dir, "wal.log"));
    if (droppedBytes > 0) logger.warn("dropped a torn record at the end of the log", { bytes: droppedBytes });
    const storage = new DurableStorage(log, bodies, codec, logger);
    logger.info("durable mode", { file: log.file, bytes: log.size, records: bodies.length });
    return storage;
  }

  private replay(body: Buffer): string | undefined {
    const record = decodeRecord(body);
    switch (record.type) {
      case LogType.Topology:
        return record.json;
      case LogType.SequenceMark:
        this.marks.set(record.path, Math.max(record.mark, this.marks.get(record.path) ?? 0));
        break;
      case LogType.Add:
        this.replayedStore(record.path).messages.set(record.message.sequenceNumber, { message: record.message, payload: record.payload });
        break;
      case LogType.Update: {
        const entry = this.replayed.get(record.path)?.messages.get(record.sequenceNumber);
        if (!entry) break;
        entry.message.deliveryCount = record.deliveryCount;
        entry.message.state = record.state;
        if (record.payload) entry.payload = record.payload;
        break;
      }
      case LogType.Delete:
        this.replayed.get(record.path)?.messages.delete(record.sequenceNumber);
        break;
      case LogType.SessionState: {
        const states = this.replayedStore(record.path).states;
        if (record.state) states.set(record.sessionId, record.state);
        else states.delete(record.sessionId);
        break;
      }
      case LogType.Drop:
        this.replayed.delete(record.path);
        this.marks.delete(record.path);
        break;
    }
    return undefined;
  }

  private replayedStore(path: string): ReplayedStore {
    let store = this.replayed.get(path);
    if (!store) this.replayed.set(path, (store = { messages: new Map(), states: new Map() }));
    return store;
  }

  append(body: Buffer): void {
    this.log.append(body);
  }

  records(path: string): RecordStore {
    // At run time a path that still has a store belongs to an entity that is gone: the new one starts empty.
    if (this.started && this.stores.has(path)) this.drop(path);
    const store = new DurableRecordStore(path, this);
    this.stores.set(path, store);
    const replayed = this.replayed.get(path);
    if (replayed) {
      this.replayed.delete(path);
      this.fill(store, replayed);
    }
    return store;
  }

  private fill(store: DurableRecordStore, replayed: ReplayedStore): void {
    const sorted = [...replayed.messages.values()].sort((a, b) => a.message.sequenceNumber - b.message.sequenceNumber);
    for (const { message, payload } of sorted) {
      let decoded: MessagePayload;
      try {
        decoded = this.codec.decode(payload);
      } catch (err) {
        this.logger.warn("skipped a stored message that does not decode", { path: store.path, sequenceNumber: message.sequenceNumber, error: (err as Error).message });
        continue;
      }
      const record: MessageRecord = { ...message, payload: decoded, lockToken: undefined, lockedUntil: 0 };
      store.restore(record, payload.length);
    }
    for (const [id, state] of replayed.states) {
      store.inner.setSessionState(id, Buffer.from(state));
      store.trackState(id);
    }
  }

  sequenceNumbers(path: string): SequenceNumbers {
    if (this.started && this.counters.has(path)) this.drop(path);
    const mark = this.started ? 0 : (this.marks.get(path) ?? 0);
    const counter = new DurableSequenceNumbers(path, mark, mark, this);
    this.counters.set(path, counter);
    return counter;
  }

  durable(): Promise<void> | undefined {
    return this.log.durable();
  }

  /**
   * Called once the namespace is built from the stored topology and the config: forgets what no entity claimed,
   * records the topology, and compacts a log much bigger than its live data.
   */
  start(namespace: Namespace): void {
    this.namespace = namespace;
    this.started = true;
    for (const path of this.replayed.keys()) this.log.append(encodeDrop(path));
    this.replayed = new Map();
    this.marks.clear();
    if (this.log.size > START_COMPACTION_BYTES && this.log.size > 2 * (this.liveBytes + START_COMPACTION_BYTES / 4)) this.compact();
    else this.log.appendSync(encodeTopology(topologyToJson(topologyOf(namespace))));
  }

  /** Entities were created, changed or deleted: drop the messages of those gone, and record the topology at once. */
  entitiesChanged(namespace: Namespace): void {
    if (!this.started) return;
    const { stores, counters } = livePaths(namespace);
    for (const path of [...this.stores.keys()]) if (!stores.has(path)) this.drop(path);
    for (const path of [...this.counters.keys()]) if (!counters.has(path)) this.drop(path);
    this.log.appendSync(encodeTopology(topologyToJson(topologyOf(namespace))));
  }

  private drop(path: string): void {
    const store = this.stores.get(path);
    if (store) {
      store.dropped = true;
      for (const logged of store.logged.values()) this.liveBytes -= logged.bytes;
    }
    this.stores.delete(path);
    this.counters.delete(path);
    this.log.append(encodeDrop(path));
  }

  /** Schedules a rewrite when the log has grown far past its live data. */
  maybeCompact(): void {
    if (this.compactionScheduled || this.log.size < RUNTIME_COMPACTION_BYTES || this.log.size < 4 * this.liveBytes) return;
    this.compactionScheduled = true;
    setImmediate(() => {
      this.compactionScheduled = false;
      if (this.log.size >= RUNTIME_COMPACTION_BYTES && this.log.size >= 4 * this.liveBytes) this.compact();
    });
  }

  /** Rewrites the log as a snapshot of the live state. */
  compact(): void {
    const namespace = this.namespace;
    if (!namespace) return;
    const before = this.log.size;
    const started = performance.now();
    this.log.rewrite(this.snapshot(namespace));
    this.logger.info("compacted the log", { before, after: this.log.size, ms: Math.round(performance.now() - started) });
  }

  private *snapshot(namespace: Namespace): Iterable<Buffer> {
    yield encodeTopology(topologyToJson(topologyOf(namespace)));
    for (const counter of this.counters.values()) yield encodeSequenceMark(counter.path, counter.mark);
    for (const store of this.stores.values()) yield* store.snapshot();
  }

  close(): void {
    this.log.close();
  }
}

/** The store and counter paths of every entity the namespace holds now. */
function livePaths(namespace: Namespace): { stores: Set<string>; counters: Set<string> } {
  const stores = new Set<string>();
  const counters = new Set<string>();
  for (const q of namespace.queues.values()) {
    counters.add(q.name);
    for (const s of [q.store, q.deadLetters, q.transferDeadLetters]) stores.add(s.path);
  }
  for (const t of namespace.topics.values()) {
    counters.add(t.name);
    stores.add(t.scheduled.path);
    for (const sub of t.subscriptions.values()) for (const s of [sub.store, sub.deadLetters, sub.transferDeadLetters]) stores.add(s.path);
  }
  return { stores, counters };
}
