/**
 * The messages of one queue, subscription or dead-letter queue: sequence order, peek-lock with lock tokens and
 * expiry, complete / abandon / defer / dead-letter, receive by sequence number, peek, MaxDeliveryCount and TTL.
 *
 * Cheap per message: available messages wait in a heap of sequence numbers, and lock expiry and TTL each use one
 * clock timer per store armed at the earliest due time (heaps of due times, stale entries skipped when popped).
 */
import type { Clock, TimerHandle } from "../../common/clock.js";
import { faults } from "../amqp/errors.js";
import { newLockToken } from "../amqp/lock-token.js";
import type { MessagePayload } from "./message-payload.js";
import type { MessageRecord } from "./message-record.js";
import { MinHeap } from "./min-heap.js";
import { InMemoryRecordStore, type RecordStore } from "./record-store.js";

export interface StoreSettings {
  lockDurationMs: number;
  maxDeliveryCount: number;
  defaultMessageTimeToLiveMs: number;
  deadLetteringOnMessageExpiration: boolean;
}

/** A receive link as the store sees it. */
export interface MessageConsumer {
  readonly receiveAndDelete: boolean;
  /** How many more messages it can take now (link credit not yet used). */
  capacity(): number;
  /** `previousDeliveries` is what the header's delivery-count carries. */
  deliver(record: MessageRecord, lockToken: string | undefined, previousDeliveries: number): void;
}

export type PropertyChanges = Iterable<readonly [string, unknown]>;

export const DEAD_LETTER_REASON = "DeadLetterReason";
export const DEAD_LETTER_DESCRIPTION = "DeadLetterErrorDescription";

interface Due {
  at: number;
  key: number | string;
}
const earlier = (a: Due, b: Due) => a.at < b.at;

export class MessageStore {
  private readonly available = new MinHeap<number>((a, b) => a < b);
  private readonly locks = new Map<string, MessageRecord>();
  private readonly lockDue = new MinHeap<Due>(earlier);
  private readonly ttlDue = new MinHeap<Due>(earlier);
  private lockTimer: TimerHandle | undefined;
  private ttlTimer: TimerHandle | undefined;
  private consumers: MessageConsumer[] = [];
  private turn = 0;
  private pumping = false;
  private pumpAgain = false;
  private closed = false;

  constructor(
    /** Entity path, e.g. `q1` or `t1/Subscriptions/s1/$DeadLetterQueue`. */
    readonly path: string,
    private readonly settings: () => StoreSettings,
    private readonly clock: Clock,
    /** Where dead-lettered messages go; undefined for a dead-letter queue itself. */
    readonly deadLetters: MessageStore | undefined,
    private readonly records: RecordStore = new InMemoryRecordStore(),
  ) {}

  get messageCount(): number {
    return this.records.size;
  }

  /** Adds a new message with the sequence number its entity assigned. */
  enqueue(payload: MessagePayload, sequenceNumber: number): MessageRecord {
    const now = this.clock.now();
    const own = payload.timeToLiveMs;
    const ttl = Math.min(own ?? Infinity, this.settings().defaultMessageTimeToLiveMs);
    const record: MessageRecord = {
      sequenceNumber,
      payload,
      enqueuedAt: now,
      expiresAt: now + ttl >= 8.64e15 ? Infinity : now + ttl,
      deliveryCount: 0,
      state: "active",
      lockToken: undefined,
      lockedUntil: 0,
    };
    this.insert(record);
    return record;
  }

  /** Adds a message moved here from another store (dead-lettering): it keeps its number and history, and never expires. */
  adopt(from: MessageRecord, payload: MessagePayload, deadLetterSource?: string): void {
    if (this.records.get(from.sequenceNumber)) return;
    this.insert({
      sequenceNumber: from.sequenceNumber,
      payload,
      enqueuedAt: from.enqueuedAt,
      expiresAt: Infinity,
      deliveryCount: from.deliveryCount,
      state: "active",
      lockToken: undefined,
      lockedUntil: 0,
      deadLetterSource,
    });
  }

  private insert(record: MessageRecord): void {
    this.records.add(record);
    if (record.expiresAt !== Infinity) this.scheduleExpiry(record);
    this.available.push(record.sequenceNumber);
    this.pump();
  }

  addConsumer(consumer: MessageConsumer): void {
    this.consumers.push(consumer);
    this.pump();
  }

  removeConsumer(consumer: MessageConsumer): void {
    this.consumers = this.consumers.filter((c) => c !== consumer);
  }

  /** Offers available messages to consumers with capacity, in turn, until one side runs out. */
  pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        this.pumpOnce();
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
  }

  private pumpOnce(): void {
    const consumers = this.consumers;
    let idle = 0;
    while (this.available.size > 0 && consumers.length > 0 && idle < consumers.length) {
      const consumer = consumers[this.turn++ % consumers.length];
      if (consumer.capacity() <= 0) {
        idle++;
        continue;
      }
      const record = this.takeAvailable();
      if (!record) return;
      idle = 0;
      const previous = record.deliveryCount++;
      if (consumer.receiveAndDelete) {
        this.remove(record);
        consumer.deliver(record, undefined, previous);
      } else {
        const token = this.lock(record);
        this.records.update(record);
        consumer.deliver(record, token, previous);
      }
    }
  }

  private takeAvailable(): MessageRecord | undefined {
    const now = this.clock.now();
    for (;;) {
      const seq = this.available.pop();
      if (seq === undefined) return undefined;
      const record = this.records.get(seq);
      if (!record || record.state !== "active" || record.lockToken) continue;
      if (record.expiresAt <= now) {
        this.expire(record);
        continue;
      }
      return record;
    }
  }

  private lock(record: MessageRecord): string {
    const token = newLockToken();
    record.lockToken = token;
    record.lockedUntil = this.clock.now() + this.settings().lockDurationMs;
    this.locks.set(token, record);
    this.lockDue.push({ at: record.lockedUntil, key: token });
    if (this.lockDue.size > 2 * this.locks.size + 1024) {
      this.lockDue.rebuild([...this.locks.entries()].map(([key, r]) => ({ at: r.lockedUntil, key })));
    }
    this.armLockTimer();
    return token;
  }

  /** The record a live lock token holds; throws MessageLockLost otherwise. */
  private locked(token: string): MessageRecord {
    const record = this.locks.get(token);
    if (!record) throw faults.messageLockLost();
    if (record.lockedUntil <= this.clock.now()) {
      this.releaseLock(record);
      throw faults.messageLockLost();
    }
    return record;
  }

  isLocked(token: string): boolean {
    const record = this.locks.get(token);
    return !!record && record.lockedUntil > this.clock.now();
  }

  complete(token: string): void {
    const record = this.locked(token);
    this.remove(record);
  }

  abandon(token: string, changes?: PropertyChanges): void {
    const record = this.locked(token);
    if (changes) record.payload = record.payload.withUserProperties(changes);
    this.releaseLock(record);
  }

  defer(token: string, changes?: PropertyChanges): void {
    const record = this.locked(token);
    if (changes) record.payload = record.payload.withUserProperties(changes);
    this.unlock(record);
    record.state = "deferred";
    this.records.update(record);
  }

  deadLetter(token: string, reason: string | undefined, description: string | undefined, changes?: PropertyChanges): void {
    const record = this.locked(token);
    this.unlock(record);
    this.moveToDeadLetters(record, reason, description, changes);
  }

  renewLock(token: string): number {
    const record = this.locked(token);
    record.lockedUntil = this.clock.now() + this.settings().lockDurationMs;
    this.records.update(record);
    return record.lockedUntil;
  }

  /** Deferred messages by sequence number; locks them (peekLock) or removes them (receiveAndDelete). */
  receiveDeferred(sequenceNumbers: number[], receiveAndDelete: boolean): { record: MessageRecord; lockToken?: string; previousDeliveries: number }[] {
    const found = sequenceNumbers.map((seq) => {
      const record = this.records.get(seq);
      if (!record || record.state !== "deferred") throw faults.messageNotFound(seq);
      return record;
    });
    return found.map((record) => {
      if (record.lockToken && record.lockedUntil > this.clock.now()) throw faults.messageNotFound(record.sequenceNumber);
      const previousDeliveries = record.deliveryCount++;
      if (receiveAndDelete) {
        this.remove(record);
        return { record, previousDeliveries };
      }
      if (record.lockToken) this.unlock(record);
      return { record, lockToken: this.lock(record), previousDeliveries };
    });
  }

  /** Up to `count` messages from a sequence number on, locked or not, without changing them. */
  peek(fromSequenceNumber: number, count: number): MessageRecord[] {
    const out: MessageRecord[] = [];
    const now = this.clock.now();
    for (const record of this.records.from(fromSequenceNumber)) {
      if (out.length >= count) break;
      if (record.expiresAt <= now && !record.lockToken) continue;
      out.push(record);
    }
    return out;
  }

  /** Messages whose lock is live; for settling through `$management` after the link closed. */
  hasLock(token: string): boolean {
    return this.locks.has(token);
  }

  // ---- Administration (explorer purge and resubmit): removals outside any receiver's lock. ----

  /** Removes every message, locked ones included (their holders get MessageLockLost); returns how many. */
  purge(): number {
    const count = this.records.size;
    for (const record of [...this.records.values()]) this.remove(record);
    return count;
  }

  /** Removes one message by sequence number, locked or not; returns it, or undefined when it is not here. */
  removeMessage(sequenceNumber: number): MessageRecord | undefined {
    const record = this.records.get(sequenceNumber);
    if (record) this.remove(record);
    return record;
  }

  close(): void {
    this.closed = true;
    this.lockTimer?.cancel();
    this.ttlTimer?.cancel();
    this.consumers = [];
  }

  private remove(record: MessageRecord): void {
    if (record.lockToken) this.unlock(record);
    this.records.delete(record.sequenceNumber);
  }

  private unlock(record: MessageRecord): void {
    if (record.lockToken) this.locks.delete(record.lockToken);
    record.lockToken = undefined;
    record.lockedUntil = 0;
  }

  /** A lock ended without settlement (abandon or expiry): redeliver, or dead-letter past MaxDeliveryCount. */
  private releaseLock(record: MessageRecord): void {
    this.unlock(record);
    if (record.deliveryCount >= this.settings().maxDeliveryCount && this.deadLetters) {
      const max = this.settings().maxDeliveryCount;
      this.moveToDeadLetters(record, "MaxDeliveryCountExceeded", `Message could not be consumed after ${max} delivery attempts.`);
      return;
    }
    this.records.update(record);
    if (record.state !== "active") return;
    if (record.expiresAt <= this.clock.now()) {
      this.expire(record);
      return;
    }
    this.available.push(record.sequenceNumber);
    this.pump();
  }

  private moveToDeadLetters(record: MessageRecord, reason: string | undefined, description: string | undefined, changes?: PropertyChanges): void {
    const target = this.deadLetters;
    if (!target) {
      // A dead-letter queue has no dead-letter queue: the message stays where it is.
      this.records.update(record);
      if (record.state === "active") this.available.push(record.sequenceNumber);
      this.pump();
      return;
    }
    const props: [string, unknown][] = changes ? [...changes].map(([k, v]) => [k, v]) : [];
    if (reason !== undefined && reason !== null) props.push([DEAD_LETTER_REASON, reason]);
    if (description !== undefined && description !== null) props.push([DEAD_LETTER_DESCRIPTION, description]);
    this.records.delete(record.sequenceNumber);
    target.adopt(record, props.length > 0 ? record.payload.withUserProperties(props) : record.payload);
  }

  private expire(record: MessageRecord): void {
    if (this.settings().deadLetteringOnMessageExpiration && this.deadLetters) {
      this.moveToDeadLetters(record, "TTLExpiredException", "The message expired and was dead lettered.");
    } else {
      this.records.delete(record.sequenceNumber);
    }
  }

  private scheduleExpiry(record: MessageRecord): void {
    this.ttlDue.push({ at: record.expiresAt, key: record.sequenceNumber });
    if (this.ttlDue.size > 2 * this.records.size + 1024) {
      const live: Due[] = [];
      for (const r of this.records.values()) if (r.expiresAt !== Infinity) live.push({ at: r.expiresAt, key: r.sequenceNumber });
      this.ttlDue.rebuild(live);
    }
    this.armTtlTimer();
  }

  private armTtlTimer(): void {
    const next = this.ttlDue.peek();
    if (!next || this.closed) return;
    if (this.ttlTimer && this.ttlTimer.due <= next.at) return;
    this.ttlTimer?.cancel();
    this.ttlTimer = this.clock.setTimerAt(next.at, () => {
      this.ttlTimer = undefined;
      this.expireDue();
    });
  }

  private expireDue(): void {
    const now = this.clock.now();
    for (let due = this.ttlDue.peek(); due && due.at <= now; due = this.ttlDue.peek()) {
      this.ttlDue.pop();
      const record = this.records.get(due.key as number);
      // Locked messages expire when their lock ends; deferred and active ones now.
      if (!record || record.expiresAt !== due.at || record.lockToken) continue;
      this.expire(record);
    }
    this.armTtlTimer();
  }

  private armLockTimer(): void {
    const next = this.lockDue.peek();
    if (!next || this.closed) return;
    if (this.lockTimer && this.lockTimer.due <= next.at) return;
    this.lockTimer?.cancel();
    this.lockTimer = this.clock.setTimerAt(next.at, () => {
      this.lockTimer = undefined;
      this.expireLocks();
    });
  }

  private expireLocks(): void {
    const now = this.clock.now();
    for (let due = this.lockDue.peek(); due && due.at <= now; due = this.lockDue.peek()) {
      this.lockDue.pop();
      const record = this.locks.get(due.key as string);
      if (!record) continue;
      if (record.lockedUntil > now) {
        this.lockDue.push({ at: record.lockedUntil, key: due.key });
        continue;
      }
      this.releaseLock(record);
    }
    this.armLockTimer();
  }
}
