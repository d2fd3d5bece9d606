import type { Clock } from "../../common/clock.js";
import { faults } from "../amqp/errors.js";
import { DuplicateDetector } from "./duplicate-detector.js";
import type { QueueOptions } from "./entity-options.js";
import { forwardingDivert, type ForwardingSource, type Router, scheduledTimeOf, type Transfer, TransferRefused, type TransferTarget } from "./forwarding.js";
import type { MessagePayload } from "./message-payload.js";
import { MessageStore, sessionIdOf, type StoreSettings } from "./message-store.js";
import { type EntityStorage, inMemoryStorage, type SequenceNumbers } from "./record-store.js";

/** Settings of a dead-letter queue: same lock duration, no delivery limit, no expiry, no sessions. */
export function deadLetterSettings(parent: () => { lockDurationMs: number }): () => StoreSettings {
  return () => ({
    lockDurationMs: parent().lockDurationMs,
    maxDeliveryCount: Number.POSITIVE_INFINITY,
    defaultMessageTimeToLiveMs: Number.POSITIVE_INFINITY,
    deadLetteringOnMessageExpiration: false,
  });
}

/** What an entity accepting a message passes on to the store besides the payload. */
export interface ArrivalOptions {
  transferHops?: number;
  deadLetterSource?: string;
  /** Overrides the message's own x-opt-scheduled-enqueue-time. */
  scheduledAt?: number;
  /** A topic's scheduled message, now due: its subscriptions' copies report Scheduled. */
  wasScheduled?: boolean;
}

/** Azure's reason and text for a message without session id reaching an entity that requires sessions. */
export const SESSION_ID_MISSING = {
  reason: "Session id is null.",
  description: "Session enabled entity doesn't allow a message whose session identifier is null.",
};

export class Queue implements TransferTarget, ForwardingSource {
  readonly kind = "queue";
  readonly store: MessageStore;
  readonly deadLetters: MessageStore;
  readonly transferDeadLetters: MessageStore;
  /** Set when the queue joins a namespace; forwarding needs it to find targets. */
  router: Router | undefined;
  transferredCount = 0;
  private readonly sequence: SequenceNumbers;
  private readonly duplicates: DuplicateDetector;

  constructor(
    readonly name: string,
    public options: QueueOptions,
    clock: Clock,
    storage: EntityStorage = inMemoryStorage,
  ) {
    const own = () => this.options;
    const dlqPath = `${name}/$DeadLetterQueue`;
    const tdlqPath = `${name}/$Transfer/$DeadLetterQueue`;
    this.deadLetters = new MessageStore(dlqPath, deadLetterSettings(own), clock, undefined, storage.records(dlqPath));
    this.transferDeadLetters = new MessageStore(tdlqPath, deadLetterSettings(own), clock, undefined, storage.records(tdlqPath));
    this.store = new MessageStore(name, own, clock, this.deadLetters, storage.records(name));
    this.store.divert = forwardingDivert(this, () => this.options.forwardTo);
    this.deadLetters.divert = forwardingDivert(this, () => this.options.forwardDeadLetteredMessagesTo, name);
    const observer = () => this.router?.messageObservers?.current;
    for (const store of [this.store, this.deadLetters, this.transferDeadLetters]) store.observer = observer;
    this.sequence = storage.sequenceNumbers(name);
    this.duplicates = new DuplicateDetector(clock, () => this.options.duplicateDetectionHistoryTimeWindowMs);
  }

  get maxMessageSizeInBytes(): number {
    return this.options.maxMessageSizeInKilobytes * 1024;
  }

  /** Messages from a sender; all or none (a message without session id on a session queue refuses the whole transfer). */
  send(payloads: readonly MessagePayload[]): void {
    this.checkSessions(payloads);
    for (const payload of payloads) this.arrive(payload, {});
  }

  /** `$management` schedule-message: the sequence numbers, in order (a duplicate still gets one, and is dropped). */
  schedule(payloads: readonly MessagePayload[]): number[] {
    this.checkSessions(payloads);
    return payloads.map((payload) => this.arrive(payload, {}) ?? this.sequence.next());
  }

  /** Cancels scheduled messages; numbers that are no longer scheduled are ignored. */
  cancelScheduled(sequenceNumbers: readonly number[]): void {
    for (const seq of sequenceNumbers) this.store.cancelScheduled(seq);
  }

  acceptTransfer(transfer: Transfer): void {
    if (this.options.status === "Disabled" || this.options.status === "SendDisabled") {
      throw new TransferRefused("MessagingEntityDisabled", `Messaging entity '${this.name}' is currently disabled.`);
    }
    if (this.options.requiresSession && sessionIdOf(transfer.payload) === undefined) {
      throw new TransferRefused(SESSION_ID_MISSING.reason, SESSION_ID_MISSING.description);
    }
    this.arrive(transfer.payload, { transferHops: transfer.transferHops, deadLetterSource: transfer.deadLetterSource });
  }

  private checkSessions(payloads: readonly MessagePayload[]): void {
    if (!this.options.requiresSession) return;
    for (const payload of payloads) if (sessionIdOf(payload) === undefined) throw faults.sessionIdRequired();
  }

  /** Duplicate check, sequence number, then the store (which schedules or forwards as needed); undefined when dropped. */
  private arrive(payload: MessagePayload, options: ArrivalOptions): number | undefined {
    if (this.options.requiresDuplicateDetection && this.duplicates.isDuplicate(payload)) return undefined;
    const seq = this.sequence.next();
    this.store.enqueue(payload, seq, { ...options, scheduledAt: options.scheduledAt ?? scheduledTimeOf(payload) });
    return seq;
  }

  close(): void {
    this.store.close();
    this.deadLetters.close();
    this.transferDeadLetters.close();
  }
}
