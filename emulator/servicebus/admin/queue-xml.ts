/** QueueDescription: request body -> QueueOptions, and a queue -> the description the SDK parses (element order as Azure's). */
import type { EntityCounts } from "../model/message-counts.js";
import type { QueueOptions } from "../model/entity-options.js";
import { AdminError } from "./admin-error.js";
import type { XmlNode } from "./atom-xml.js";
import { authorizationRulesNode, parseAuthorizationRules } from "./authorization-rules-xml.js";
import { countDetails, DescriptionReader, formatDuration, isoDate } from "./description-fields.js";
import type { EntityTimes } from "./entity-times.js";
import { reportedMaxSize, requestedMaxSize } from "./partitioned-size.js";

export const LIMITS = {
  lockDurationMs: [1000, 5 * 60_000],
  ttlMinMs: 1000,
  duplicateWindowMs: [1000, 7 * 86_400_000],
  autoDeleteMinMs: 5 * 60_000,
  maxSizeInMegabytes: [1, 81_920],
  maxMessageSizeInKilobytes: [1, 102_400],
  maxDeliveryCount: [1, 2_147_483_647],
} as const;

export function checkUserMetadata(value: string | undefined): string | undefined {
  if (value !== undefined && value.length > 1024) throw AdminError.badRequest("UserMetadata must be 1024 characters or fewer.");
  return value === "" ? undefined : value;
}

/** Properties Azure refuses to change on an existing entity. */
export function keepImmutable<T extends object>(kind: string, before: T, after: T, names: (keyof T & string)[]): void {
  for (const name of names) {
    if (before[name] !== after[name]) {
      const label = name.charAt(0).toUpperCase() + name.slice(1);
      throw AdminError.badRequest(`The value for the ${label} property of an existing ${kind} cannot be changed.`);
    }
  }
}

/** `now` dates the authorization rules the request adds or changes. */
export function parseQueueDescription(node: XmlNode, base: QueueOptions, now: number): QueueOptions {
  const r = new DescriptionReader(node, "Queue");
  const L = LIMITS;
  return {
    ...base,
    lockDurationMs: r.duration("LockDuration", L.lockDurationMs[0], L.lockDurationMs[1]) ?? base.lockDurationMs,
    maxSizeInMegabytes: requestedMaxSize(r.integer("MaxSizeInMegabytes", ...L.maxSizeInMegabytes), base),
    requiresDuplicateDetection: r.boolean("RequiresDuplicateDetection") ?? base.requiresDuplicateDetection,
    requiresSession: r.boolean("RequiresSession") ?? base.requiresSession,
    defaultMessageTimeToLiveMs: r.duration("DefaultMessageTimeToLive", L.ttlMinMs) ?? base.defaultMessageTimeToLiveMs,
    deadLetteringOnMessageExpiration: r.boolean("DeadLetteringOnMessageExpiration") ?? base.deadLetteringOnMessageExpiration,
    duplicateDetectionHistoryTimeWindowMs:
      r.duration("DuplicateDetectionHistoryTimeWindow", L.duplicateWindowMs[0], L.duplicateWindowMs[1]) ?? base.duplicateDetectionHistoryTimeWindowMs,
    maxDeliveryCount: r.integer("MaxDeliveryCount", L.maxDeliveryCount[0], L.maxDeliveryCount[1]) ?? base.maxDeliveryCount,
    enableBatchedOperations: r.boolean("EnableBatchedOperations") ?? base.enableBatchedOperations,
    status: r.status() ?? base.status,
    forwardTo: node.ForwardTo === undefined ? base.forwardTo : r.forwardTarget("ForwardTo"),
    userMetadata: node.UserMetadata === undefined ? base.userMetadata : checkUserMetadata(r.string("UserMetadata")),
    authorizationRules: parseAuthorizationRules(node, base.authorizationRules, now),
    autoDeleteOnIdleMs: r.duration("AutoDeleteOnIdle", L.autoDeleteMinMs) ?? base.autoDeleteOnIdleMs,
    enablePartitioning: r.boolean("EnablePartitioning") ?? base.enablePartitioning,
    forwardDeadLetteredMessagesTo:
      node.ForwardDeadLetteredMessagesTo === undefined ? base.forwardDeadLetteredMessagesTo : r.forwardTarget("ForwardDeadLetteredMessagesTo"),
    maxMessageSizeInKilobytes:
      r.integer("MaxMessageSizeInKilobytes", L.maxMessageSizeInKilobytes[0], L.maxMessageSizeInKilobytes[1]) ?? base.maxMessageSizeInKilobytes,
  };
}

export function queueDescription(options: QueueOptions, counts: EntityCounts, times: EntityTimes, forwardUrl: (name: string) => string): XmlNode {
  const node: XmlNode = {
    LockDuration: formatDuration(options.lockDurationMs),
    MaxSizeInMegabytes: reportedMaxSize(options),
    RequiresDuplicateDetection: options.requiresDuplicateDetection,
    RequiresSession: options.requiresSession,
    DefaultMessageTimeToLive: formatDuration(options.defaultMessageTimeToLiveMs),
    DeadLetteringOnMessageExpiration: options.deadLetteringOnMessageExpiration,
    DuplicateDetectionHistoryTimeWindow: formatDuration(options.duplicateDetectionHistoryTimeWindowMs),
    MaxDeliveryCount: options.maxDeliveryCount,
    EnableBatchedOperations: options.enableBatchedOperations,
    SizeInBytes: counts.sizeInBytes,
    MessageCount: counts.total,
    IsAnonymousAccessible: false,
    AuthorizationRules: authorizationRulesNode(options.authorizationRules),
    Status: options.status,
  };
  if (options.forwardTo) node.ForwardTo = forwardUrl(options.forwardTo);
  Object.assign(node, {
    CreatedAt: isoDate(times.createdAt),
    UpdatedAt: isoDate(times.updatedAt),
    AccessedAt: isoDate(times.accessedAt),
    SupportOrdering: true,
    CountDetails: countDetails(counts),
    AutoDeleteOnIdle: formatDuration(options.autoDeleteOnIdleMs),
    EnablePartitioning: options.enablePartitioning,
    EntityAvailabilityStatus: "Available",
    EnableExpress: false,
  });
  if (options.forwardDeadLetteredMessagesTo) node.ForwardDeadLetteredMessagesTo = forwardUrl(options.forwardDeadLetteredMessagesTo);
  if (options.userMetadata !== undefined) node.UserMetadata = options.userMetadata;
  node.MaxMessageSizeInKilobytes = options.maxMessageSizeInKilobytes;
  return node;
}
