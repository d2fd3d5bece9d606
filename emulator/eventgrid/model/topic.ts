/** A custom topic at run time: its config and one dispatcher per event subscription; routes each event by filter. */
import type { TopicConfig } from "../config-types.js";
import type { DeliveryObservers } from "../delivery/delivery-observer.js";
import type { SubscriptionDispatcher } from "../delivery/subscription-dispatcher.js";
import { matchesFilter } from "../filters/event-filter.js";
import type { AcceptedEvent } from "./events.js";

export class EventGridTopic {
  readonly dispatchers = new Map<string, SubscriptionDispatcher>();
  published = 0;
  /** Events no subscription's filter matched (Azure drops them; users ask to see them). */
  unmatched = 0;

  constructor(
    readonly config: TopicConfig,
    private readonly observers?: DeliveryObservers,
  ) {}

  add(dispatcher: SubscriptionDispatcher): void {
    this.dispatchers.set(dispatcher.config.name.toLowerCase(), dispatcher);
  }

  subscription(name: string): SubscriptionDispatcher | undefined {
    return this.dispatchers.get(name.toLowerCase());
  }

  publish(events: AcceptedEvent[]): void {
    this.published += events.length;
    this.observers?.current?.onDelivery({ kind: "published", topic: this.config.name, events });
    const matchedAny = new Set<AcceptedEvent>();
    for (const dispatcher of this.dispatchers.values()) {
      const matched = events.filter((e) => matchesFilter(dispatcher.config.filter, e));
      for (const e of matched) matchedAny.add(e);
      if (matched.length > 0) dispatcher.enqueue(matched);
    }
    this.unmatched += events.length - matchedAny.size;
  }
}
