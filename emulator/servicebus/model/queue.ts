import type { Clock } from "../../common/clock.js";
import type { QueueOptions } from "./entity-options.js";
import type { MessagePayload } from "./message-payload.js";
import { MessageStore, type StoreSettings } from "./message-store.js";

/** Settings of a dead-letter queue: same lock duration, no delivery limit, no expiry. */
export function deadLetterSettings(parent: () => { lockDurationMs: number }): () => StoreSettings {
  return () => ({
    lockDurationMs: parent().lockDurationMs,
    maxDeliveryCount: Number.POSITIVE_INFINITY,
    defaultMessageTimeToLiveMs: Number.POSITIVE_INFINITY,
    deadLetteringOnMessageExpiration: false,
  });
}

export class Queue {
  readonly kind = "queue";
  readonly store: MessageStore;
  readonly deadLetters: MessageStore;
  readonly transferDeadLetters: MessageStore;
  private nextSequenceNumber = 1;

  constructor(
    readonly name: string,
    public options: QueueOptions,
    clock: Clock,
  ) {
    const own = () => this.options;
    this.deadLetters = new MessageStore(`${name}/$DeadLetterQueue`, deadLetterSettings(own), clock, undefined);
    this.transferDeadLetters = new MessageStore(`${name}/$Transfer/$DeadLetterQueue`, deadLetterSettings(own), clock, undefined);
    this.store = new MessageStore(name, own, clock, this.deadLetters);
  }

  get maxMessageSizeInBytes(): number {
    return this.options.maxMessageSizeInKilobytes * 1024;
  }

  send(payloads: readonly MessagePayload[]): void {
    for (const payload of payloads) this.store.enqueue(payload, this.nextSequenceNumber++);
  }

  close(): void {
    this.store.close();
    this.deadLetters.close();
    this.transferDeadLetters.close();
  }
}
