import type { Clock } from "../../common/clock.js";
import type { TopicOptions } from "./entity-options.js";
import type { MessagePayload } from "./message-payload.js";
import { Subscription } from "./subscription.js";

/** A topic: assigns one sequence number per message and fans it out to its subscriptions through their rules. */
export class Topic {
  readonly kind = "topic";
  readonly subscriptions = new Map<string, Subscription>();
  private nextSequenceNumber = 1;

  constructor(
    readonly name: string,
    public options: TopicOptions,
    private readonly clock: Clock,
  ) {}

  get maxMessageSizeInBytes(): number {
    return this.options.maxMessageSizeInKilobytes * 1024;
  }

  addSubscription(subscription: Subscription): void {
    this.subscriptions.set(subscription.name.toLowerCase(), subscription);
  }

  subscription(name: string): Subscription | undefined {
    return this.subscriptions.get(name.toLowerCase());
  }

  send(payloads: readonly MessagePayload[]): void {
    for (const payload of payloads) {
      const facts = { sequenceNumber: this.nextSequenceNumber++, enqueuedAt: this.clock.now() };
      for (const subscription of this.subscriptions.values()) subscription.accept(payload, facts);
    }
  }

  close(): void {
    for (const s of this.subscriptions.values()) s.close();
  }
}
