import type { Clock } from "../../common/clock.js";
import { DuplicateDetector } from "./duplicate-detector.js";
import type { TopicOptions } from "./entity-options.js";
import { type Router, scheduledTimeOf, type Transfer, TransferRefused, type TransferTarget } from "./forwarding.js";
import type { MessagePayload } from "./message-payload.js";
import { MessageStore } from "./message-store.js";
import type { ArrivalOptions } from "./queue.js";
import { type EntityStorage, inMemoryStorage, type SequenceNumbers } from "./record-store.js";
import type { Subscription } from "./subscription.js";

/**
 * A topic: assigns one sequence number per message (every subscription's copy keeps it), detects duplicates, holds
 * scheduled messages until they are due, and fans each message out to its subscriptions through their rules.
 */
export class Topic implements TransferTarget {
  readonly kind = "topic";
  readonly subscriptions = new Map<string, Subscription>();
  /** Scheduled messages sent to the topic; each one fans out when due. */
  readonly scheduled: MessageStore;
  private readonly sequence: SequenceNumbers;
  private readonly duplicates: DuplicateDetector;
  private routerRef: Router | undefined;

  constructor(
    readonly name: string,
    public options: TopicOptions,
    private readonly clock: Clock,
    storage: EntityStorage = inMemoryStorage,
  ) {
    const settings = () => ({ lockDurationMs: 0, maxDeliveryCount: Infinity, defaultMessageTimeToLiveMs: Infinity, deadLetteringOnMessageExpiration: false });
    this.scheduled = new MessageStore(name, settings, clock, undefined, storage.records(name));
    this.scheduled.divert = (record) => {
      const { transferHops, deadLetterSource } = record;
      this.fanOut(record.payload, record.sequenceNumber, { transferHops, deadLetterSource, wasScheduled: true });
      return true;
    };
    this.scheduled.observer = () => this.routerRef?.messageObservers?.current;
    this.sequence = storage.sequenceNumbers(name);
    this.duplicates = new DuplicateDetector(clock, () => this.options.duplicateDetectionHistoryTimeWindowMs);
  }

  get maxMessageSizeInBytes(): number {
    return this.options.maxMessageSizeInKilobytes * 1024;
  }

  /** Set when the topic joins a namespace; its subscriptions forward through it. */
  get router(): Router | undefined {
    return this.routerRef;
  }

  set router(router: Router | undefined) {
    this.routerRef = router;
    for (const s of this.subscriptions.values()) s.router = router;
  }

  addSubscription(subscription: Subscription): void {
    subscription.router = this.routerRef;
    this.subscriptions.set(subscription.name.toLowerCase(), subscription);
  }

  subscription(name: string): Subscription | undefined {
    return this.subscriptions.get(name.toLowerCase());
  }

  send(payloads: readonly MessagePayload[]): void {
    for (const payload of payloads) this.arrive(payload, {});
  }

  /** `$management` schedule-message on the topic: one sequence number per message, assigned here. */
  schedule(payloads: readonly MessagePayload[]): number[] {
    return payloads.map((payload) => this.arrive(payload, {}) ?? this.sequence.next());
  }

  cancelScheduled(sequenceNumbers: readonly number[]): void {
    for (const seq of sequenceNumbers) this.scheduled.cancelScheduled(seq);
  }

  acceptTransfer(transfer: Transfer): void {
    if (this.options.status === "Disabled" || this.options.status === "SendDisabled") {
      throw new TransferRefused("MessagingEntityDisabled", `Messaging entity '${this.name}' is currently disabled.`);
    }
    this.arrive(transfer.payload, { transferHops: transfer.transferHops, deadLetterSource: transfer.deadLetterSource });
  }

  private arrive(payload: MessagePayload, options: ArrivalOptions): number | undefined {
    if (this.options.requiresDuplicateDetection && this.duplicates.isDuplicate(payload)) return undefined;
    const seq = this.sequence.next();
    const observer = this.routerRef?.messageObservers?.current;
    if (observer) observer.onMessage({ kind: "sent", entity: this.name, sequenceNumber: seq, payload });
    const at = options.scheduledAt ?? scheduledTimeOf(payload);
    if (at !== undefined && at > this.clock.now()) this.scheduled.enqueue(payload, seq, { ...options, scheduledAt: at });
    else this.fanOut(payload, seq, options);
    return seq;
  }

  private fanOut(payload: MessagePayload, sequenceNumber: number, options: ArrivalOptions): void {
    const facts = { sequenceNumber, enqueuedAt: this.clock.now() };
    for (const subscription of this.subscriptions.values()) subscription.accept(payload, facts, options);
  }

  close(): void {
    this.scheduled.close();
    for (const s of this.subscriptions.values()) s.close();
  }
}
