/**
 * The namespace: queues and topics by name (case-insensitive, as in Azure), and the resolution of link addresses
 * such as `q1`, `q1/$DeadLetterQueue`, `t1/Subscriptions/s1` or `t1/Subscriptions/s1/$Transfer/$DeadLetterQueue`.
 * It is also the router auto-forwarding uses: an entity added to `queues` or `topics` is connected to it.
 */
import type { Clock } from "../../common/clock.js";
import type { ServiceBusNamespaceConfig } from "../config.js";
import type { QueueOptions, RuleDescription, SubscriptionOptions, TopicOptions } from "./entity-options.js";
import type { Router, TransferTarget } from "./forwarding.js";
import { MessageObservers } from "./message-observer.js";
import type { MessageStore } from "./message-store.js";
import { Queue } from "./queue.js";
import { type EntityStorage, inMemoryStorage } from "./record-store.js";
import { Subscription } from "./subscription.js";
import { Topic } from "./topic.js";

export type SubQueue = "main" | "deadLetter" | "transferDeadLetter";

export interface ResolvedEntity {
  entity: Queue | Topic | Subscription;
  subQueue: SubQueue;
  /** The message store a receiver on this address reads (undefined for a topic). */
  store: MessageStore | undefined;
}

/** A map of entities that connects each entity it receives to the namespace's router. */
class EntityMap<T extends { router: Router | undefined }> extends Map<string, T> {
  constructor(private readonly router: Router) {
    super();
  }

  override set(key: string, entity: T): this {
    entity.router = this.router;
    return super.set(key, entity);
  }
}

export class Namespace implements Router {
  readonly queues: Map<string, Queue> = new EntityMap<Queue>(this);
  readonly topics: Map<string, Topic> = new EntityMap<Topic>(this);
  /** The observer of every hop of every message here (the dashboard's flow recorder sets it). */
  readonly messageObservers = new MessageObservers();

  constructor(
    readonly name: string,
    /** The emulator clock every timer of the namespace runs on. */
    readonly clock: Clock,
    /** Where entities keep their messages (in memory unless the durable mode supplies a store). */
    readonly storage: EntityStorage = inMemoryStorage,
  ) {}

  static fromConfig(config: ServiceBusNamespaceConfig, clock: Clock, storage: EntityStorage = inMemoryStorage): Namespace {
    const ns = new Namespace(config.name, clock, storage);
    ns.load(config);
    return ns;
  }

  private loading = false;

  private load(config: ServiceBusNamespaceConfig): void {
    this.loading = true;
    try {
      for (const q of config.queues) this.addQueue(q.name, q.options);
      for (const t of config.topics) {
        const topic = this.addTopic(t.name, t.options);
        for (const s of t.subscriptions) this.addSubscription(topic, s.name, s.options, s.rules);
      }
    } finally {
      this.loading = false;
    }
  }

  /** Entities were added, changed or removed: tells the storage (the durable mode records the topology). */
  changed(): void {
    if (!this.loading) this.storage.entitiesChanged?.(this);
  }

  /** Resolves an entity path (no leading slash, no host); undefined when no such entity exists. */
  resolve(path: string): ResolvedEntity | undefined {
    let rest = path.replace(/^\/+|\/+$/g, "");
    let subQueue: SubQueue = "main";
    const lower = rest.toLowerCase();
    if (lower.endsWith("/$transfer/$deadletterqueue")) {
      subQueue = "transferDeadLetter";
      rest = rest.slice(0, -"/$Transfer/$DeadLetterQueue".length);
    } else if (lower.endsWith("/$deadletterqueue")) {
      subQueue = "deadLetter";
      rest = rest.slice(0, -"/$DeadLetterQueue".length);
    }
    const parts = rest.split("/");
    const subsAt = parts.findIndex((p, i) => i > 0 && p.toLowerCase() === "subscriptions");
    if (subsAt > 0 && subsAt === parts.length - 2) {
      const topic = this.topics.get(parts.slice(0, subsAt).join("/").toLowerCase());
      const subscription = topic?.subscription(parts[subsAt + 1]);
      if (!subscription) return undefined;
      return { entity: subscription, subQueue, store: pick(subscription, subQueue) };
    }
    const key = rest.toLowerCase();
    const queue = this.queues.get(key);
    if (queue) return { entity: queue, subQueue, store: pick(queue, subQueue) };
    const topic = this.topics.get(key);
    if (topic && subQueue === "main") return { entity: topic, subQueue, store: undefined };
    return undefined;
  }

  /**
   * The queue or topic a ForwardTo names: a plain name, or the `sb://<host>/<name>` form the administration client
   * writes.
   */
  forwardTarget(name: string): TransferTarget | undefined {
    const key = name
      .replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*\//i, "")
      .replace(/^\/+|\/+$/g, "")
      .toLowerCase();
    return this.queues.get(key) ?? this.topics.get(key);
  }

  close(): void {
    for (const q of this.queues.values()) q.close();
    for (const t of this.topics.values()) t.close();
  }

  // ---- Entities created, removed and reset at run time (administration API, explorer endpoints). ----
  // Callers check names for clashes first; these only build and register (the one construction path, config included).

  addQueue(name: string, options: QueueOptions): Queue {
    const queue = new Queue(name, { ...options }, this.clock, this.storage);
    this.queues.set(name.toLowerCase(), queue);
    this.changed();
    return queue;
  }

  addTopic(name: string, options: TopicOptions): Topic {
    const topic = new Topic(name, { ...options }, this.clock, this.storage);
    this.topics.set(name.toLowerCase(), topic);
    this.changed();
    return topic;
  }

  addSubscription(topic: Topic, name: string, options: SubscriptionOptions, rules: readonly RuleDescription[]): Subscription {
    const subscription = new Subscription(topic.name, name, { ...options }, [...rules], this.clock, this.storage);
    topic.addSubscription(subscription);
    subscription.onRulesChanged = () => this.changed();
    this.changed();
    return subscription;
  }

  /** Removes a queue or topic (with its subscriptions) and drops its messages; false when there is none. */
  removeEntity(name: string): boolean {
    const key = name.toLowerCase();
    const entity = this.queues.get(key) ?? this.topics.get(key);
    if (!entity) return false;
    entity.close();
    if (entity.kind === "queue") this.queues.delete(key);
    else this.topics.delete(key);
    this.changed();
    return true;
  }

  removeSubscription(topic: Topic, name: string): boolean {
    const subscription = topic.subscription(name);
    if (!subscription) return false;
    subscription.close();
    topic.subscriptions.delete(name.toLowerCase());
    this.changed();
    return true;
  }

  /** Drops every entity and message and loads `config` again (the explorer's reset). */
  reset(config: ServiceBusNamespaceConfig): void {
    this.close();
    this.queues.clear();
    this.topics.clear();
    this.changed();
    this.load(config);
    this.changed();
  }
}

function pick(entity: Queue | Subscription, subQueue: SubQueue): MessageStore {
  if (subQueue === "deadLetter") return entity.deadLetters;
  if (subQueue === "transferDeadLetter") return entity.transferDeadLetters;
  return entity.store;
}
