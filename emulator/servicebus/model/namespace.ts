/**
 * The namespace: queues and topics by name (case-insensitive, as in Azure), and the resolution of link addresses
 * such as `q1`, `q1/$DeadLetterQueue`, `t1/Subscriptions/s1` or `t1/Subscriptions/s1/$Transfer/$DeadLetterQueue`.
 */
import type { Clock } from "../../common/clock.js";
import type { ServiceBusNamespaceConfig } from "../config.js";
import type { MessageStore } from "./message-store.js";
import { Queue } from "./queue.js";
import { Subscription } from "./subscription.js";
import { Topic } from "./topic.js";

export type SubQueue = "main" | "deadLetter" | "transferDeadLetter";

export interface ResolvedEntity {
  entity: Queue | Topic | Subscription;
  subQueue: SubQueue;
  /** The message store a receiver on this address reads (undefined for a topic). */
  store: MessageStore | undefined;
}

export class Namespace {
  readonly queues = new Map<string, Queue>();
  readonly topics = new Map<string, Topic>();

  constructor(
    readonly name: string,
    private readonly clock: Clock,
  ) {}

  static fromConfig(config: ServiceBusNamespaceConfig, clock: Clock): Namespace {
    const ns = new Namespace(config.name, clock);
    for (const q of config.queues) ns.queues.set(q.name.toLowerCase(), new Queue(q.name, { ...q.options }, clock));
    for (const t of config.topics) {
      const topic = new Topic(t.name, { ...t.options }, clock);
      for (const s of t.subscriptions) topic.addSubscription(new Subscription(t.name, s.name, { ...s.options }, [...s.rules], clock));
      ns.topics.set(t.name.toLowerCase(), topic);
    }
    return ns;
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

  close(): void {
    for (const q of this.queues.values()) q.close();
    for (const t of this.topics.values()) t.close();
  }
}

function pick(entity: Queue | Subscription, subQueue: SubQueue): MessageStore {
  if (subQueue === "deadLetter") return entity.deadLetters;
  if (subQueue === "transferDeadLetter") return entity.transferDeadLetters;
  return entity.store;
}
