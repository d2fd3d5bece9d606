/** SubscriptionDescription: request body -> SubscriptionOptions (+ an optional default rule), and back. */
import type { EntityCounts } from "../model/message-counts.js";
import { DEFAULT_RULE_NAME, type RuleDescription, type SubscriptionOptions } from "../model/entity-options.js";
import type { XmlNode } from "./atom-xml.js";
import { countDetails, DescriptionReader, formatDuration, isoDate } from "./description-fields.js";
import type { EntityTimes } from "./entity-times.js";
import { checkUserMetadata, LIMITS } from "./queue-xml.js";
import { parseRuleDescription } from "./rule-xml.js";

export function parseSubscriptionDescription(node: XmlNode, base: SubscriptionOptions): SubscriptionOptions {
  const r = new DescriptionReader(node, "Subscription");
  const L = LIMITS;
  return {
    ...base,
    lockDurationMs: r.duration("LockDuration", L.lockDurationMs[0], L.lockDurationMs[1]) ?? base.lockDurationMs,
    requiresSession: r.boolean("RequiresSession") ?? base.requiresSession,
    defaultMessageTimeToLiveMs: r.duration("DefaultMessageTimeToLive", L.ttlMinMs) ?? base.defaultMessageTimeToLiveMs,
    deadLetteringOnMessageExpiration: r.boolean("DeadLetteringOnMessageExpiration") ?? base.deadLetteringOnMessageExpiration,
    deadLetteringOnFilterEvaluationExceptions: r.boolean("DeadLetteringOnFilterEvaluationExceptions") ?? base.deadLetteringOnFilterEvaluationExceptions,
    maxDeliveryCount: r.integer("MaxDeliveryCount", L.maxDeliveryCount[0], L.maxDeliveryCount[1]) ?? base.maxDeliveryCount,
    enableBatchedOperations: r.boolean("EnableBatchedOperations") ?? base.enableBatchedOperations,
    status: r.status() ?? base.status,
    forwardTo: node.ForwardTo === undefined ? base.forwardTo : r.forwardTarget("ForwardTo"),
    userMetadata: node.UserMetadata === undefined ? base.userMetadata : checkUserMetadata(r.string("UserMetadata")),
    forwardDeadLetteredMessagesTo:
      node.ForwardDeadLetteredMessagesTo === undefined ? base.forwardDeadLetteredMessagesTo : r.forwardTarget("ForwardDeadLetteredMessagesTo"),
    autoDeleteOnIdleMs: r.duration("AutoDeleteOnIdle", L.autoDeleteMinMs) ?? base.autoDeleteOnIdleMs,
  };
}

/**
 * The rule a create request asks for instead of the TrueFilter `$Default` (DefaultRuleDescription), under the Name it
 * carries: the SDKs' createSubscription(options, rule) sends the caller's rule name, `$Default` unless they chose one.
 */
export function parseDefaultRule(node: XmlNode): RuleDescription | undefined {
  const raw = node.DefaultRuleDescription;
  if (!raw || typeof raw !== "object") return undefined;
  const description = raw as XmlNode;
  const name = new DescriptionReader(description, "DefaultRuleDescription").string("Name")?.trim();
  return parseRuleDescription(description, name || DEFAULT_RULE_NAME);
}

export function subscriptionDescription(options: SubscriptionOptions, counts: EntityCounts, times: EntityTimes, forwardUrl: (name: string) => string): XmlNode {
  const node: XmlNode = {
    LockDuration: formatDuration(options.lockDurationMs),
    RequiresSession: options.requiresSession,
    DefaultMessageTimeToLive: formatDuration(options.defaultMessageTimeToLiveMs),
    DeadLetteringOnMessageExpiration: options.deadLetteringOnMessageExpiration,
    DeadLetteringOnFilterEvaluationExceptions: options.deadLetteringOnFilterEvaluationExceptions,
    MessageCount: counts.total,
    MaxDeliveryCount: options.maxDeliveryCount,
    EnableBatchedOperations: options.enableBatchedOperations,
    Status: options.status,
  };
  if (options.forwardTo) node.ForwardTo = forwardUrl(options.forwardTo);
  Object.assign(node, {
    CreatedAt: isoDate(times.createdAt),
    UpdatedAt: isoDate(times.updatedAt),
    AccessedAt: isoDate(times.accessedAt),
    CountDetails: countDetails(counts),
  });
  if (options.userMetadata !== undefined) node.UserMetadata = options.userMetadata;
  if (options.forwardDeadLetteredMessagesTo) node.ForwardDeadLetteredMessagesTo = forwardUrl(options.forwardDeadLetteredMessagesTo);
  node.AutoDeleteOnIdle = formatDuration(options.autoDeleteOnIdleMs);
  node.EntityAvailabilityStatus = "Available";
  return node;
}
