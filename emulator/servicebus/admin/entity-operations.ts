/**
 * Create, update and delete of queues, topics, subscriptions and rules on the namespace, with Azure's checks (names,
 * clashes, forwarding targets, properties that cannot change). The same store the config loaded: AMQP clients see
 * the changes at once.
 */
import { DEFAULT_RULE_NAME, queueDefaults, type QueueOptions, type RuleDescription, subscriptionDefaults, topicDefaults, type SubscriptionOptions, type TopicOptions } from "../model/entity-options.js";
import type { Namespace } from "../model/namespace.js";
import type { Queue } from "../model/queue.js";
import type { Subscription } from "../model/subscription.js";
import type { Topic } from "../model/topic.js";
import { AdminError } from "./admin-error.js";
import { keepImmutable } from "./queue-xml.js";

const ENTITY_NAME = /^[A-Za-z0-9]$|^[A-Za-z0-9][\w\-./]*[A-Za-z0-9]$/;
const CHILD_NAME = /^[A-Za-z0-9]$|^[A-Za-z0-9][\w\-.]*[A-Za-z0-9]$/;

export function checkEntityName(name: string): void {
  if (name.length > 260 || !ENTITY_NAME.test(name) || name.split("/").some((part) => part === "" || part.toLowerCase() === "subscriptions")) {
    throw AdminError.badRequest(
      `The entity name '${name}' is not valid: use up to 260 letters, digits, '.', '-', '_' and '/', starting and ending with a letter or digit.`,
    );
  }
}

export function checkChildName(name: string, kind: "subscription" | "rule"): void {
  const ok = (kind === "rule" && name === DEFAULT_RULE_NAME) || (name.length <= 50 && CHILD_NAME.test(name));
  if (!ok) throw AdminError.badRequest(`The ${kind} name '${name}' is not valid: use up to 50 letters, digits, '.', '-' and '_', starting and ending with a letter or digit.`);
}

export class EntityOperations {
  constructor(private readonly namespace: Namespace) {}

  private get ns(): string {
    return this.namespace.name;
  }

  queue(name: string): Queue | undefined {
    return this.namespace.queues.get(name.toLowerCase());
  }

  topic(name: string): Topic | undefined {
    return this.namespace.topics.get(name.toLowerCase());
  }

  topicOrFail(name: string): Topic {
    const topic = this.topic(name);
    if (!topic) throw AdminError.notFound(this.ns, "Topic", name);
    return topic;
  }

  subscriptionOrFail(topicName: string, name: string): Subscription {
    const subscription = this.topicOrFail(topicName).subscription(name);
    if (!subscription) throw AdminError.notFound(this.ns, "Topic", `${topicName}|${name}`);
    return subscription;
  }

  private checkForwarding(self: string, options: { forwardTo?: string; forwardDeadLetteredMessagesTo?: string }): void {
    for (const target of [options.forwardTo, options.forwardDeadLetteredMessagesTo]) {
      if (!target) continue;
      if (target.toLowerCase() === self.toLowerCase()) throw AdminError.badRequest(`The entity '${self}' cannot forward to itself.`);
      if (!this.queue(target) && !this.topic(target)) throw AdminError.badRequest(`The forwarding target '${target}' is not a queue or topic of this namespace.`);
    }
  }

  private checkFree(name: string, kind: string): void {
    if (this.queue(name) || this.topic(name)) throw AdminError.alreadyExists(this.ns, kind, name);
  }

  createQueue(name: string, build: (base: QueueOptions) => QueueOptions): Queue {
    checkEntityName(name);
    this.checkFree(name, "Queue");
    const options = build(queueDefaults);
    this.checkForwarding(name, options);
    return this.namespace.addQueue(name, options);
  }

  updateQueue(name: string, build: (base: QueueOptions) => QueueOptions): Queue {
    const queue = this.queue(name);
    if (!queue) throw AdminError.notFound(this.ns, "Queue", name);
    const options = build(queue.options);
    keepImmutable("Queue", queue.options, options, ["requiresSession", "enablePartitioning", "requiresDuplicateDetection"]);
    this.checkForwarding(name, options);
    queue.options = options;
    this.namespace.changed();
    return queue;
  }

  createTopic(name: string, build: (base: TopicOptions) => TopicOptions): Topic {
    checkEntityName(name);
    this.checkFree(name, "Topic");
    return this.namespace.addTopic(name, build(topicDefaults));
  }

  updateTopic(name: string, build: (base: TopicOptions) => TopicOptions): Topic {
    const topic = this.topicOrFail(name);
    const options = build(topic.options);
    keepImmutable("Topic", topic.options, options, ["enablePartitioning", "requiresDuplicateDetection"]);
    topic.options = options;
    this.namespace.changed();
    return topic;
  }

  deleteEntity(name: string): void {
    if (!this.namespace.removeEntity(name)) throw AdminError.notFound(this.ns, "Queue", name);
  }

  createSubscription(topicName: string, name: string, build: (base: SubscriptionOptions) => SubscriptionOptions, defaultRule?: RuleDescription): Subscription {
    checkChildName(name, "subscription");
    const topic = this.topicOrFail(topicName);
    if (topic.subscription(name)) throw AdminError.alreadyExists(this.ns, "Subscription", `${topicName}|${name}`);
    const options = build(subscriptionDefaults);
    this.checkForwarding(`${topicName}/Subscriptions/${name}`, options);
    if (defaultRule) checkChildName(defaultRule.name, "rule");
    const rule = defaultRule ?? { name: DEFAULT_RULE_NAME, filter: { type: "true" } };
    return this.namespace.addSubscription(topic, name, options, [rule]);
  }

  updateSubscription(topicName: string, name: string, build: (base: SubscriptionOptions) => SubscriptionOptions): Subscription {
    const subscription = this.subscriptionOrFail(topicName, name);
    const options = build(subscription.options);
    keepImmutable("Subscription", subscription.options, options, ["requiresSession"]);
    this.checkForwarding(`${topicName}/Subscriptions/${name}`, options);
    subscription.options = options;
    this.namespace.changed();
    return subscription;
  }

  deleteSubscription(topicName: string, name: string): void {
    const topic = this.topicOrFail(topicName);
    if (!this.namespace.removeSubscription(topic, name)) throw AdminError.notFound(this.ns, "Subscription", `${topicName}|${name}`);
  }

  rule(subscription: Subscription, name: string): RuleDescription | undefined {
    return subscription.rules.find((r) => r.name.toLowerCase() === name.toLowerCase());
  }

  /** Adds a rule, or replaces one of the same name when `replace` (update); the rule list stays in order. */
  putRule(subscription: Subscription, rule: RuleDescription, replace: boolean): RuleDescription {
    checkChildName(rule.name, "rule");
    const existing = this.rule(subscription, rule.name);
    const where = `${subscription.topicName}|${subscription.name}|${rule.name}`;
    if (existing && !replace) throw AdminError.alreadyExists(this.ns, "Rule", where);
    if (!existing && replace) throw AdminError.notFound(this.ns, "Rule", where);
    const rules = existing ? subscription.rules.map((r) => (r === existing ? rule : r)) : [...subscription.rules, rule];
    subscription.setRules(rules);
    return rule;
  }

  deleteRule(subscription: Subscription, name: string): void {
    const existing = this.rule(subscription, name);
    if (!existing) throw AdminError.notFound(this.ns, "Rule", `${subscription.topicName}|${subscription.name}|${name}`);
    subscription.setRules(subscription.rules.filter((r) => r !== existing));
  }
}
