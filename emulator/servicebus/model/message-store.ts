/**
 * The messages of one queue, subscription or dead-letter queue: sequence order, peek-lock with lock tokens and
 * expiry, complete / abandon / defer / dead-letter, receive by sequence number, peek, MaxDeliveryCount, TTL,
 * scheduled messages and, on session entities, sessions (session-registry.ts).
 *
 * Cheap per message: available messages wait in a heap of sequence numbers (one per session on session entities),
 * and lock expiry, TTL, scheduled activation and session locks each use one clock timer per store armed at the
 * earliest due time (due-queue.ts; stale entries are skipped when they fall due).
 */
import type { Clock } from "../../common/clock.js";
import { faults } from "../amqp/errors.js";
import { newLockToken } from "../amqp/lock-token.js";
import { DueQueue } from "./due-queue.js";
import type { MessagePayload } from "./message-payload.js";
import type { MessageHop, MessageHopKind, MessageObserver } from "./message-observer.js";
import type { MessageRecord, MessageState } from "./message-record.js";
import { MinHeap } from "../../common/min-heap.js";
import { InMemoryRecordStore, type RecordStore } from "./record-store.js";
import { type MessageSession, type SessionHolder, SessionRegistry } from "./session-registry.js";

export interface StoreSettings {
  lockDurationMs: number;
  maxDeliveryCount: number;
  defaultMessageTimeToLiveMs: number;
  deadLetteringOnMessageExpiration: boolean;
  /** Messages are grouped by session and received only through session receivers. */
  requiresSession?: boolean;
}

/** A receive link as the store sees it. */
export interface MessageConsumer extends SessionHolder {
  readonly receiveAndDelete: boolean;
  /** How many more messages it can take now (link credit not yet used). */
  capacity(): number;
  /** `previousDeliveries` is what the header's delivery-count carries. */
  deliver(record: MessageRecord, lockToken: string | undefined, previousDeliveries: number): void;
}

export type PropertyChanges = Iterable<readonly [string, unknown]>;

export interface EnqueueOptions {
  /** ms since the epoch: the message stays scheduled (invisible to receivers) until then. */
  scheduledAt?: number;
  transferHops?: number;
  deadLetterSource?: string;
  /** It was scheduled before it came here (a topic's scheduled message fanned out to a subscription). */
  wasScheduled?: boolean;
}

export interface MessageCounts {
  /** Available or locked messages. */
  active: number;
  deferred: number;
  scheduled: number;
}

export const DEAD_LETTER_REASON = "DeadLetterReason";
export const DEAD_LETTER_DESCRIPTION = "DeadLetterErrorDescription";

/** A message's session id as the model keys it (AMQP group-id; "" when it has none). */
export function sessionIdOf(payload: MessagePayload): string | undefined {
  const id = payload.system("SessionId");
  return id === undefined || id === null ? undefined : String(id);
}

export class MessageStore {
  private readonly available = new MinHeap<number>((a, b) => a < b);
  private readonly sessions = new SessionRegistry();
  private readonly locks = new Map<string, MessageRecord>();
  private readonly lockDue: DueQueue<string>;
  private readonly ttlDue: DueQueue<number>;
  private readonly scheduleDue: DueQueue<number>;
  private readonly sessionDue: DueQueue<string>;
  private readonly count: MessageCounts = { active: 0, deferred: 0, scheduled: 0 };
  private consumers: MessageConsumer[] = [];
  private turn = 0;
  private pumping = false;
  private pumpAgain = false;
  /** Fixed at creation, as in Azure (RequiresSession cannot be changed on an existing entity). */
  readonly sessionful: boolean;
  /**
   * Called when a message becomes active here; returning true means it was taken elsewhere (auto-forwarding, or a
   * topic's scheduled message fanned out) and the store does not keep it.
   */
  divert: ((record: MessageRecord) => boolean) | undefined;
  /** Who is told of each hop (the dashboard's flow recorder); the entity points it at its namespace's slot. */
  observer: () => MessageObserver | undefined = () => undefined;

  constructor(
    /** Entity path, e.g. `q1` or `t1/Subscriptions/s1/$DeadLetterQueue`. */
    readonly path: string,
    private readonly settings: () => StoreSettings,
    private readonly clock: Clock,
    /** Where dead-lettered messages go; undefined for a dead-letter queue itself. */
    readonly deadLetters: MessageStore | undefined,
    private readonly records: RecordStore = new InMemoryRecordStore(),
  ) {
    this.sessionful = settings().requiresSession === true;
    this.lockDue = new DueQueue(clock, (token) => this.onLockDue(token));
    this.ttlDue = new DueQueue(clock, (seq, at) => this.onTtlDue(seq, at));
    this.scheduleDue = new DueQueue(clock, (seq, at) => this.onScheduleDue(seq, at));
    this.sessionDue = new DueQueue(clock, (id) => this.onSessionDue(id));
    if (records.size > 0) this.restore();
  }

  /** Indexes messages a durable store brought back after a restart: counts, availability, TTL and schedule timers. */
  private restore(): void {
    for (const record of this.records.from(0)) {
      const seq = record.sequenceNumber;
      this.count[record.state]++;
      if (record.state === "scheduled") {
        this.scheduleDue.push(record.enqueuedAt, seq);
        continue;
      }
      if (record.expiresAt !== Infinity) this.ttlDue.push(record.expiresAt, seq);
      if (record.state !== "active") continue;
      if (this.sessionful) this.sessions.getOrCreate(record.sessionId ?? "").available.push(seq);
      else this.available.push(seq);
    }
  }

  get messageCount(): number {
    return this.records.size;
  }

  /** Messages by state (for the administration API's runtime properties). */
  get counts(): Readonly<MessageCounts> {
    return { ...this.count };
  }

  /** Adds a new message with the sequence number its entity assigned; scheduled when `scheduledAt` is in the future. */
  enqueue(payload: MessagePayload, sequenceNumber: number, options: EnqueueOptions = {}): MessageRecord {
    const now = this.clock.now();
    const scheduled = options.scheduledAt !== undefined && options.scheduledAt > now;
    const enqueuedAt = scheduled ? options.scheduledAt! : now;
    const record: MessageRecord = {
      sequenceNumber,
      payload,
      enqueuedAt,
      expiresAt: this.expiryOf(payload, enqueuedAt),
      deliveryCount: 0,
      state: scheduled ? "scheduled" : "active",
      lockToken: undefined,
      lockedUntil: 0,
    };
    if (options.deadLetterSource !== undefined) record.deadLetterSource = options.deadLetterSource;
    if (scheduled || options.wasScheduled) record.wasScheduled = true;
    if (options.transferHops) record.transferHops = options.transferHops;
    if (this.sessionful) record.sessionId = sessionIdOf(payload) ?? "";
    if (scheduled) {
      this.addRecord(record);
      this.scheduleDue.push(enqueuedAt, sequenceNumber);
      this.tell("scheduled", record, { reason: new Date(enqueuedAt).toISOString() });
    } else {
      this.tell("enqueued", record);
      this.admit(record, false);
    }
    return record;
  }

  /** Adds a message moved here from another store (dead-lettering): it keeps its number and history, and never expires. */
  adopt(from: MessageRecord, payload: MessagePayload, deadLetterSource?: string): void {
    if (this.records.get(from.sequenceNumber)) return;
    const record: MessageRecord = {
      sequenceNumber: from.sequenceNumber,
      payload,
      enqueuedAt: from.enqueuedAt,
      expiresAt: Infinity,
      deliveryCount: from.deliveryCount,
      state: "active",
      lockToken: undefined,
      lockedUntil: 0,
      deadLetterSource: deadLetterSource ?? from.deadLetterSource,
    };
    if (from.transferHops) record.transferHops = from.transferHops;
    if (this.sessionful) record.sessionId = sessionIdOf(payload) ?? "";
    this.admit(record, false);
  }

  /** Removes a scheduled message before it is due; false when there is none with that number (already active, or never). */
  cancelScheduled(sequenceNumber: number): boolean {
    const record = this.records.get(sequenceNumber);
    if (!record || record.state !== "scheduled") return false;
    this.deleteRecord(record);
    return true;
  }

  private expiryOf(payload: MessagePayload, from: number): number {
    const ttl = Math.min(payload.timeToLiveMs ?? Infinity, this.settings().defaultMessageTimeToLiveMs);
    return from + ttl >= 8.64e15 ? Infinity : from + ttl;
  }

  /** A message becomes active: forwarded away, or kept and offered to receivers. */
  private admit(record: MessageRecord, stored: boolean): void {
    if (this.divert?.(record)) {
      if (stored) this.deleteRecord(record);
      return;
    }
    if (stored) this.records.update(record);
    else this.addRecord(record);
    if (record.expiresAt !== Infinity) {
      this.ttlDue.push(record.expiresAt, record.sequenceNumber);
      if (this.ttlDue.outgrew(this.records.size)) this.ttlDue.rebuild(this.liveDue((r) => r.expiresAt));
    }
    this.makeAvailable(record);
  }

  private makeAvailable(record: MessageRecord): void {
    if (!this.sessionful) {
      this.available.push(record.sequenceNumber);
      this.pump();
      return;
    }
    const session = this.sessions.getOrCreate(record.sessionId ?? "");
    session.available.push(record.sequenceNumber);
    if (session.holder) this.pump();
    else this.offerSessions();
  }

  addConsumer(consumer: MessageConsumer): void {
    this.consumers.push(consumer);
    this.pump();
  }

  removeConsumer(consumer: MessageConsumer): void {
    this.consumers = this.consumers.filter((c) => c !== consumer);
    if (consumer.sessionId !== undefined) {
      const session = this.sessions.get(consumer.sessionId);
      if (session?.holder === consumer) this.releaseSession(session, false);
    }
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
        if (this.sessionful) this.pumpSessions();
        else this.pumpOnce();
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
      const record = this.takeFrom(this.available);
      if (!record) return;
      idle = 0;
      this.deliverTo(consumer, record, undefined);
    }
  }

  /** Each session receiver gets its own session's messages, in sequence order. */
  private pumpSessions(): void {
    for (const consumer of this.consumers) {
      if (consumer.sessionId === undefined) continue;
      const session = this.sessions.get(consumer.sessionId);
      if (!session || session.holder !== consumer || !session.isLockedAt(this.clock.now())) continue;
      while (consumer.capacity() > 0) {
        const record = this.takeFrom(session.available);
        if (!record) break;
        this.deliverTo(consumer, record, session);
      }
    }
  }

  private deliverTo(consumer: MessageConsumer, record: MessageRecord, session: MessageSession | undefined): void {
    const previous = record.deliveryCount++;
    if (consumer.receiveAndDelete) {
      this.remove(record);
      this.tell("received", record, { deliveryCount: record.deliveryCount });
      consumer.deliver(record, undefined, previous);
      return;
    }
    const token = this.lock(record, session);
    this.records.update(record);
    this.tell("delivered", record, { deliveryCount: record.deliveryCount });
    consumer.deliver(record, token, previous);
  }

  private takeFrom(heap: MinHeap<number>): MessageRecord | undefined {
    const now = this.clock.now();
    for (;;) {
      const seq = heap.pop();
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

  /** Locks a record; under a session the message lock is the session lock (it has no expiry of its own). */
  private lock(record: MessageRecord, session: MessageSession | undefined): string {
    const token = newLockToken();
    record.lockToken = token;
    this.locks.set(token, record);
    if (session) {
      record.lockedUntil = session.lockedUntil;
      session.tokens.add(token);
      return token;
    }
    record.lockedUntil = this.clock.now() + this.settings().lockDurationMs;
    this.lockDue.push(record.lockedUntil, token);
    if (this.lockDue.outgrew(this.locks.size)) this.lockDue.rebuild([...this.locks.entries()].map(([key, r]) => ({ at: r.lockedUntil, key })));
    return token;
  }

  /** The record a live lock token holds; throws MessageLockLost (SessionLockLost under a session) otherwise. */
  private locked(token: string): MessageRecord {
    const record = this.locks.get(token);
    if (!record) throw faults.messageLockLost();
    const now = this.clock.now();
    if (this.sessionful) {
      const id = record.sessionId ?? "";
      const session = this.sessions.get(id);
      if (!session || !session.tokens.has(token) || !session.isLockedAt(now)) throw faults.sessionLockLost(id);
      return record;
    }
    if (record.lockedUntil <= now) {
      this.releaseLock(record);
      throw faults.messageLockLost();
    }
    return record;
  }

  isLocked(token: string): boolean {
    try {
      this.locked(token);
      return true;
    } catch {
      return false;
    }
  }

  complete(token: string): void {
    const record = this.locked(token);
    this.remove(record);
    this.tell("completed", record);
  }

  abandon(token: string, changes?: PropertyChanges): void {
    const record = this.locked(token);
    if (changes) record.payload = record.payload.withUserProperties(changes);
    this.tell("abandoned", record, { deliveryCount: record.deliveryCount });
    this.releaseLock(record);
  }

  defer(token: string, changes?: PropertyChanges): void {
    const record = this.locked(token);
    if (changes) record.payload = record.payload.withUserProperties(changes);
    this.unlock(record);
    this.setState(record, "deferred");
    this.tell("deferred", record);
  }

  deadLetter(token: string, reason: string | undefined, description: string | undefined, changes?: PropertyChanges): void {
    const record = this.locked(token);
    this.unlock(record);
    // deliveryCount counts a delivery when it is locked; Azure counts the deliveries that ended without settlement
    // (abandon, lock expiry, defer). They differ by the delivery that dead-letters: it settled, so it is no attempt.
    // Azure's dead-letter queue thus shows 0 after receive -> dead-letter, 1 after receive -> defer ->
    // receiveDeferred -> dead-letter.
    record.deliveryCount = Math.max(0, record.deliveryCount - 1);
    this.moveToDeadLetters(record, reason, description, changes);
  }

  renewLock(token: string): number {
    const record = this.locked(token);
    if (this.sessionful) return record.lockedUntil;
    record.lockedUntil = this.clock.now() + this.settings().lockDurationMs;
    this.records.update(record);
    return record.lockedUntil;
  }

  /** Deferred messages by sequence number; locks them (peekLock) or removes them (receiveAndDelete). */
  receiveDeferred(
    sequenceNumbers: number[],
    receiveAndDelete: boolean,
    sessionId?: string,
  ): { record: MessageRecord; lockToken?: string; previousDeliveries: number }[] {
    const session = this.sessionful ? this.heldSession(sessionId ?? "") : undefined;
    const found = sequenceNumbers.map((seq) => {
      const record = this.records.get(seq);
      if (!record || record.state !== "deferred" || (session && record.sessionId !== session.id)) throw faults.messageNotFound(seq);
      return record;
    });
    return found.map((record) => {
      if (record.lockToken && this.isLocked(record.lockToken)) throw faults.messageNotFound(record.sequenceNumber);
      const previousDeliveries = record.deliveryCount++;
      if (receiveAndDelete) {
        this.remove(record);
        this.tell("received", record, { deliveryCount: record.deliveryCount });
        return { record, previousDeliveries };
      }
      if (record.lockToken) this.unlock(record);
      const lockToken = this.lock(record, session);
      this.records.update(record);
      this.tell("delivered", record, { deliveryCount: record.deliveryCount });
      return { record, lockToken, previousDeliveries };
    });
  }

  /** Up to `count` messages from a sequence number on (scheduled and deferred ones too), without changing them. */
  peek(fromSequenceNumber: number, count: number, sessionId?: string): MessageRecord[] {
    const out: MessageRecord[] = [];
    const now = this.clock.now();
    for (const record of this.records.from(fromSequenceNumber)) {
      if (out.length >= count) break;
      if (sessionId !== undefined && record.sessionId !== sessionId) continue;
      if (record.expiresAt <= now && !record.lockToken && record.state !== "scheduled") continue;
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

  // ---- sessions -------------------------------------------------------------------------------------------------

  /** Locks session `sessionId` for `holder` (acceptSession); returns the lock's expiry. Throws SessionCannotBeLocked. */
  acceptSession(sessionId: string, holder: SessionHolder): number {
    const now = this.clock.now();
    const existing = this.sessions.get(sessionId);
    if (existing?.holder) {
      if (existing.lockedUntil > now) throw faults.sessionCannotBeLocked(sessionId);
      this.releaseSession(existing, true);
    }
    const session = this.sessions.getOrCreate(sessionId);
    session.holder = holder;
    session.lockedUntil = now + this.settings().lockDurationMs;
    this.sessionDue.push(session.lockedUntil, sessionId);
    return session.lockedUntil;
  }

  /** Locks the unlocked session with the oldest available message (acceptNextSession); undefined when there is none. */
  acceptNextSession(holder: SessionHolder): { sessionId: string; lockedUntil: number } | undefined {
    const session = this.sessions.claimable((seq) => this.isAvailable(seq));
    if (!session) return undefined;
    return { sessionId: session.id, lockedUntil: this.acceptSession(session.id, holder) };
  }

  /** Calls `waiter` once when a session may have become claimable; returns a cancel function. */
  waitForSession(waiter: () => void): () => void {
    return this.sessions.wait(waiter);
  }

  renewSessionLock(sessionId: string): number {
    const session = this.heldSession(sessionId);
    session.lockedUntil = this.clock.now() + this.settings().lockDurationMs;
    this.sessionDue.push(session.lockedUntil, sessionId);
    return session.lockedUntil;
  }

  sessionState(sessionId: string): Buffer | undefined {
    this.heldSession(sessionId);
    return this.records.sessionState(sessionId);
  }

  setSessionState(sessionId: string, state: Buffer | undefined): void {
    this.heldSession(sessionId);
    this.records.setSessionState(sessionId, state);
  }

  /** Each session with messages or state: how many messages, who holds its lock until when, its state's size. */
  describeSessions(): { sessionId: string; messages: number; lockedUntil: number | undefined; stateBytes: number }[] {
    if (!this.sessionful) return [];
    const messages = new Map<string, number>();
    for (const record of this.records.values()) {
      const id = record.sessionId ?? "";
      messages.set(id, (messages.get(id) ?? 0) + 1);
    }
    const now = this.clock.now();
    return [...messages].map(([sessionId, count]) => {
      const session = this.sessions.get(sessionId);
      return {
        sessionId,
        messages: count,
        lockedUntil: session?.isLockedAt(now) ? session.lockedUntil : undefined,
        stateBytes: this.records.sessionState(sessionId)?.length ?? 0,
      };
    });
  }

  /** A session's state without holding its lock (the dashboard's read; receivers go through sessionState). */
  peekSessionState(sessionId: string): Buffer | undefined {
    return this.records.sessionState(sessionId);
  }

  private heldSession(sessionId: string): MessageSession {
    const session = this.sessions.get(sessionId);
    if (!session || !session.isLockedAt(this.clock.now())) throw faults.sessionLockLost(sessionId);
    return session;
  }

  private isAvailable(seq: number): boolean {
    const record = this.records.get(seq);
    return !!record && record.state === "active" && !record.lockToken;
  }

  private offerSessions(): void {
    if (!this.sessions.hasWaiters) return;
    this.sessions.offer(() => this.sessions.claimable((seq) => this.isAvailable(seq)) !== undefined);
  }

  /** Ends a session lock: its unsettled messages become available again; `lost` tells the holder to detach. */
  private releaseSession(session: MessageSession, lost: boolean): void {
    const holder = session.holder;
    session.holder = undefined;
    session.lockedUntil = 0;
    const tokens = [...session.tokens];
    session.tokens.clear();
    for (const token of tokens) {
      const record = this.locks.get(token);
      if (record) this.releaseLock(record);
    }
    if (lost && holder) {
      this.consumers = this.consumers.filter((c) => c !== holder);
      holder.sessionLost?.();
    }
    this.offerSessions();
    this.sessions.dropIfIdle(session);
  }

  private onSessionDue(sessionId: string): void {
    const session = this.sessions.get(sessionId);
    if (!session?.holder || session.lockedUntil > this.clock.now()) return;
    this.releaseSession(session, true);
  }

  // ---- bookkeeping ----------------------------------------------------------------------------------------------

  close(): void {
    for (const due of [this.lockDue, this.ttlDue, this.scheduleDue, this.sessionDue]) due.close();
    this.consumers = [];
    this.sessions.clear();
  }

  private addRecord(record: MessageRecord): void {
    this.records.add(record);
    this.count[record.state]++;
  }

  private deleteRecord(record: MessageRecord): void {
    if (this.records.delete(record.sequenceNumber)) this.count[record.state]--;
  }

  private setState(record: MessageRecord, state: MessageState): void {
    this.count[record.state]--;
    this.count[state]++;
    record.state = state;
    this.records.update(record);
  }

  private remove(record: MessageRecord): void {
    if (record.lockToken) this.unlock(record);
    this.deleteRecord(record);
  }

  private unlock(record: MessageRecord): void {
    const token = record.lockToken;
    if (token) {
      this.locks.delete(token);
      if (this.sessionful) this.sessions.get(record.sessionId ?? "")?.tokens.delete(token);
    }
    record.lockToken = undefined;
    record.lockedUntil = 0;
  }

  /** A lock ended without settlement (abandon or expiry): redeliver, or dead-letter past MaxDeliveryCount. */
  private releaseLock(record: MessageRecord): void {
    this.unlock(record);
    const max = this.settings().maxDeliveryCount;
    if (record.deliveryCount >= max && this.deadLetters) {
      this.moveToDeadLetters(record, "MaxDeliveryCountExceeded", `Message could not be consumed after ${max} delivery attempts.`);
      return;
    }
    this.records.update(record);
    if (record.state !== "active") return;
    if (record.expiresAt <= this.clock.now()) {
      this.expire(record);
      return;
    }
    this.makeAvailable(record);
  }

  private moveToDeadLetters(record: MessageRecord, reason: string | undefined, description: string | undefined, changes?: PropertyChanges): void {
    const target = this.deadLetters;
    if (!target) {
      // A dead-letter queue has no dead-letter queue: the message stays where it is.
      this.records.update(record);
      if (record.state === "active") this.makeAvailable(record);
      return;
    }
    const props: [string, unknown][] = changes ? [...changes].map(([k, v]) => [k, v]) : [];
    if (reason !== undefined && reason !== null) props.push([DEAD_LETTER_REASON, reason]);
    if (description !== undefined && description !== null) props.push([DEAD_LETTER_DESCRIPTION, description]);
    this.deleteRecord(record);
    target.adopt(record, props.length > 0 ? record.payload.withUserProperties(props) : record.payload);
    this.tell("dead-lettered", record, { reason: reason ?? undefined, description: description ?? undefined });
  }

  private expire(record: MessageRecord): void {
    if (this.settings().deadLetteringOnMessageExpiration && this.deadLetters) {
      this.moveToDeadLetters(record, "TTLExpiredException", "The message expired and was dead lettered.");
    } else {
      this.deleteRecord(record);
      this.tell("expired", record);
    }
  }

  private liveDue(at: (r: MessageRecord) => number): { at: number; key: number }[] {
    const live: { at: number; key: number }[] = [];
    for (const r of this.records.values()) if (at(r) !== Infinity) live.push({ at: at(r), key: r.sequenceNumber });
    return live;
  }

  private onTtlDue(seq: number, at: number): void {
    const record = this.records.get(seq);
    // Locked messages expire when their lock ends; scheduled ones once active; deferred and active ones now.
    if (!record || record.expiresAt !== at || record.lockToken || record.state === "scheduled") return;
    this.expire(record);
  }

  private onLockDue(token: string): void {
    const record = this.locks.get(token);
    if (!record) return;
    if (record.lockedUntil > this.clock.now()) {
      this.lockDue.push(record.lockedUntil, token);
      return;
    }
    this.tell("lock-expired", record, { deliveryCount: record.deliveryCount });
    this.releaseLock(record);
  }

  private onScheduleDue(seq: number, at: number): void {
    const record = this.records.get(seq);
    if (!record || record.state !== "scheduled" || record.enqueuedAt !== at) return;
    this.setState(record, "active");
    this.tell("enqueued", record);
    this.admit(record, true);
  }

  /** Tells the observer, if any, of a hop; builds nothing when nobody listens. */
  private tell(kind: MessageHopKind, record: MessageRecord, extra?: Partial<MessageHop>): void {
    const observer = this.observer();
    if (!observer) return;
    const entity = this.path;
    observer.onMessage({ kind, entity, sequenceNumber: record.sequenceNumber, payload: record.payload, ...extra });
  }
}
