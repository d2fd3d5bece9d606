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

export class InMemoryRecordStore implements RecordStore {
  private readonly bySeq = new Map<number, MessageRecord>();
  /** Sequence numbers in order; deleted ones stay until the next compaction. */
  private order: number[] = [];
  private deleted = 0;
  private readonly states = new Map<string, Buffer>();

  get size(): number {
    return this.bySeq.size;
  }

  get(sequenceNumber: number): MessageRecord | undefined {
    return this.bySeq.get(sequenceNumber);
  }

  add(record: MessageRecord): void {
    const seq = record.sequenceNumber;
    if (this.bySeq.has(seq)) throw new Error(`sequence number ${seq} is already stored`);
    this.bySeq.set(seq, record);
    const order = this.order;
    // Nearly always appended in order; dead-lettered messages keep their number and may land in the middle.
    if (order.length === 0 || order[order.length - 1] < seq) order.push(seq);
    else {
      // A number deleted earlier may still sit in `order` until compaction: reuse its slot instead of adding it twice.
      const at = this.lowerBound(seq);
      if (order[at] !== seq) order.splice(at, 0, seq);
    }
  }

  update(): void {
    // In memory the record object is the stored state.
  }

  delete(sequenceNumber: number): boolean {
    if (!this.bySeq.delete(sequenceNumber)) return false;
    this.deleted++;
    if (this.deleted > 1024 && this.deleted > this.order.length / 2) {
      this.order = this.order.filter((s) => this.bySeq.has(s));
      this.deleted = 0;
    }
    return true;
  }

  *from(sequenceNumber: number): Iterable<MessageRecord> {
    const order = this.order;
    for (let i = this.lowerBound(sequenceNumber); i < order.length; i++) {
      const r = this.bySeq.get(order[i]);
      if (r) yield r;
    }
  }

  values(): Iterable<MessageRecord> {
    return this.bySeq.values();
  }

  sessionState(sessionId: string): Buffer | undefined {
    return this.states.get(sessionId);
  }

  setSessionState(sessionId: string, state: Buffer | undefined): void {
    if (state === undefined) this.states.delete(sessionId);
    else this.states.set(sessionId, state);
  }

  private lowerBound(seq: number): number {
    const order = this.order;
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (order[mid] < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
