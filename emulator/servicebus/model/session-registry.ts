/**
 * The sessions of one session-enabled queue or subscription: per session, its available messages in sequence order,
 * the receiver holding its lock and until when, and the lock tokens of the messages delivered under that lock.
 * Receivers waiting in acceptNextSession are kept here too, first come first served.
 */
import { MinHeap } from "../../common/min-heap.js";

/** What a session needs to know of the receiver that holds it. */
export interface SessionHolder {
  readonly sessionId?: string;
  /** The session lock expired: the receiver must detach with session-lock-lost. */
  sessionLost?(): void;
}

export class MessageSession {
  /** Sequence numbers of the session's available messages (stale entries are skipped when popped). */
  readonly available = new MinHeap<number>((a, b) => a < b);
  holder: SessionHolder | undefined;
  lockedUntil = 0;
  /** Lock tokens of messages delivered under the current session lock. */
  readonly tokens = new Set<string>();

  constructor(readonly id: string) {}

  isLockedAt(now: number): boolean {
    return this.holder !== undefined && this.lockedUntil > now;
  }
}

export class SessionRegistry {
  private readonly sessions = new Map<string, MessageSession>();
  private readonly waiters = new Set<() => void>();
  private offering = false;

  get(id: string): MessageSession | undefined {
    return this.sessions.get(id);
  }

  getOrCreate(id: string): MessageSession {
    let session = this.sessions.get(id);
    if (!session) {
      session = new MessageSession(id);
      this.sessions.set(id, session);
    }
    return session;
  }

  /** Forgets a session that holds nothing (its state, if any, stays in the record store). */
  dropIfIdle(session: MessageSession): void {
    if (!session.holder && session.available.size === 0 && session.tokens.size === 0) this.sessions.delete(session.id);
  }

  /**
   * The unlocked session whose oldest available message is the oldest, or undefined. `live` tells whether a sequence
   * number still names an available message; stale heads are dropped on the way.
   */
  claimable(live: (sequenceNumber: number) => boolean): MessageSession | undefined {
    let best: MessageSession | undefined;
    let bestSeq = Infinity;
    for (const session of this.sessions.values()) {
      if (session.holder) continue;
      let head = session.available.peek();
      while (head !== undefined && !live(head)) {
        session.available.pop();
        head = session.available.peek();
      }
      if (head !== undefined && head < bestSeq) {
        best = session;
        bestSeq = head;
      }
    }
    return best;
  }

  get hasWaiters(): boolean {
    return this.waiters.size > 0;
  }

  /** Registers an acceptNextSession waiter; it is called (once) when a session may be claimable. Returns a cancel. */
  wait(waiter: () => void): () => void {
    this.waiters.add(waiter);
    return () => this.waiters.delete(waiter);
  }

  /** Wakes waiters, oldest first, while some session can be claimed. */
  offer(claimableNow: () => boolean): void {
    if (this.offering) return;
    this.offering = true;
    try {
      while (this.waiters.size > 0 && claimableNow()) {
        const [first] = this.waiters;
        this.waiters.delete(first);
        first();
      }
    } finally {
      this.offering = false;
    }
  }

  clear(): void {
    this.waiters.clear();
  }
}
