/**
 * The storage seams of the model: a message store's records (by sequence number, iterable in sequence order) and
 * session states, and an entity's sequence-number counter. In memory now; a durable implementation (the --data-dir
 * mode) implements the same interfaces, so every state change (new, scheduled, deferred, dead-lettered, removed
 * messages, session state, sequence numbers) passes through here and can be logged.
 */
import type { MessageRecord } from "./message-record.js";
import type { Namespace } from "./namespace.js";

/** The sequence numbers of one queue or topic: never reused, even after every message is gone. */
export interface SequenceNumbers {
  /** Reserves and returns the next number (the first is 1). */
  next(): number;
}

export class InMemorySequenceNumbers implements SequenceNumbers {
  constructor(private last = 0) {}

  next(): number {
    return ++this.last;
  }
}

/** Where an entity keeps its state; the durable mode supplies its own. */
export interface EntityStorage {
  /** The records of the store at `path` (e.g. `q1`, `q1/$DeadLetterQueue`, `t1/Subscriptions/s1`). */
  records(path: string): RecordStore;
  /** The counter of the queue or topic at `path`. */
  sequenceNumbers(path: string): SequenceNumbers;
  /**
   * Settles once every change made so far is on disk; undefined when nothing waits (always, in memory). Replies that
   * promise durability (a send's accepted, a settlement) go out after it.
   */
  durable?(): Promise<void> | undefined;
  /** Entities were created, changed or removed (the durable mode records the topology and drops removed ones' messages). */
  entitiesChanged?(namespace: Namespace): void;
}

export const inMemoryStorage: EntityStorage = {
  records: () => new InMemoryRecordStore(),
  sequenceNumbers: () => new InMemorySequenceNumbers(),
};

export interface RecordStore {
  readonly size: number;
  get(sequenceNumber: number): MessageRecord | undefined;
  add(record: MessageRecord): void;
  /** Called after a record's fields changed (a durable store writes it back). */
  update(record: MessageRecord): void;
  delete(sequenceNumber: number): boolean;
  /** Records with sequence number >= from, in sequence order. */
  from(sequenceNumber: number): Iterable<MessageRecord>;
  values(): Iterable<MessageRecord>;
  /** A session's state (set-session-state); undefined when none was set or it was cleared. */
  sessionState(sessionId: string): Buffer | undefined;
  /** Sets or (with undefined) clears a session's state. */
  setSessionState(sessionId: string, state: Buffer | undefined): void;
}

/**
 * Records in two parallel arrays in sequence order (numbers, and the records themselves): a lookup is a binary
 * search, and there is no hash map entry per message (a Map of 100,000s of records cost more CPU in rehashing and
 * more memory than the arrays). A deleted record leaves a hole until the next compaction.
 */
export class InMemoryRecordStore implements RecordStore {
  private seqs: number[] = [];
  private recs: (MessageRecord | undefined)[] = [];
  private live = 0;
  private readonly states = new Map<string, Buffer>();

  get size(): number {
    return this.live;
  }

  get(sequenceNumber: number): MessageRecord | undefined {
    const i = this.indexOf(sequenceNumber);
    return i < 0 ? undefined : this.recs[i];
  }

  add(record: MessageRecord): void {
    const seq = record.sequenceNumber;
    const seqs = this.seqs;
    // Nearly always appended in order; dead-lettered messages keep their number and may land in the middle.
    if (seqs.length === 0 || seqs[seqs.length - 1] < seq) {
      seqs.push(seq);
      this.recs.push(record);
    } else {
      const i = this.lowerBound(seq);
      if (seqs[i] === seq) {
        if (this.recs[i]) throw new Error(`sequence number ${seq} is already stored`);
        this.recs[i] = record;
      } else {
        seqs.splice(i, 0, seq);
        this.recs.splice(i, 0, record);
      }
    }
    this.live++;
  }

  update(): void {
    // In memory the record object is the stored state.
  }

  delete(sequenceNumber: number): boolean {
    const i = this.indexOf(sequenceNumber);
    if (i < 0 || !this.recs[i]) return false;
    this.recs[i] = undefined;
    this.live--;
    const holes = this.seqs.length - this.live;
    if (holes > 1024 && holes > this.seqs.length / 2) this.compact();
    return true;
  }

  *from(sequenceNumber: number): Iterable<MessageRecord> {
    let seqs = this.seqs;
    let recs = this.recs;
    for (let i = this.lowerBound(sequenceNumber); i < seqs.length; i++) {
      if (recs !== this.recs) {
        // Compacted while iterating: go on in the new arrays from the same sequence number.
        i = this.lowerBound(seqs[i]);
        seqs = this.seqs;
        recs = this.recs;
        if (i >= seqs.length) return;
      }
      const r = recs[i];
      if (r) yield r;
    }
  }

  *values(): Iterable<MessageRecord> {
    yield* this.from(0);
  }

  sessionState(sessionId: string): Buffer | undefined {
    return this.states.get(sessionId);
  }

  setSessionState(sessionId: string, state: Buffer | undefined): void {
    if (state === undefined) this.states.delete(sessionId);
    else this.states.set(sessionId, state);
  }

  /** Drops the holes (new arrays, so an iteration under way keeps a consistent view; see from()). */
  private compact(): void {
    const seqs: number[] = [];
    const recs: MessageRecord[] = [];
    for (let i = 0; i < this.seqs.length; i++) {
      const r = this.recs[i];
      if (r) {
        seqs.push(this.seqs[i]);
        recs.push(r);
      }
    }
    this.seqs = seqs;
    this.recs = recs;
  }

  private indexOf(seq: number): number {
    const seqs = this.seqs;
    const n = seqs.length;
    // The newest message is the most common lookup right after it was added.
    if (n === 0) return -1;
    if (seqs[n - 1] === seq) return n - 1;
    const i = this.lowerBound(seq);
    return i < n && seqs[i] === seq ? i : -1;
  }

  private lowerBound(seq: number): number {
    const seqs = this.seqs;
    let lo = 0;
    let hi = seqs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (seqs[mid] < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
