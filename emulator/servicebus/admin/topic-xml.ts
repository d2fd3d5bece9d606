/** TopicDescription: request body -> TopicOptions, and a topic -> the description the SDK parses. */
import type { EntityCounts } from "../model/message-counts.js";
import type { TopicOptions } from "../model/entity-options.js";
import type { XmlNode } from "./atom-xml.js";
import { authorizationRulesNode, parseAuthorizationRules } from "./authorization-rules-xml.js";
import { countDetails, DescriptionReader, formatDuration, isoDate } from "./description-fields.js";
import type { EntityTimes } from "./entity-times.js";
import { reportedMaxSize, requestedMaxSize } from "./partitioned-size.js";
import { checkUserMetadata, LIMITS } from "./queue-xml.js";

/** `now` dates the authorization rules the request adds or changes. */
export function parseTopicDescription(node: XmlNode, base: TopicOptions, now: number): TopicOptions {
  const r = new DescriptionReader(node, "Topic");
  const L = LIMITS;
  return {
    ...base,
    defaultMessageTimeToLiveMs: r.duration("DefaultMessageTimeToLive", L.ttlMinMs) ?? base.defaultMessageTimeToLiveMs,
    maxSizeInMegabytes: requestedMaxSize(r.integer("MaxSizeInMegabytes", ...L.maxSizeInMegabytes), base),
    requiresDuplicateDetection: r.boolean("RequiresDuplicateDetection") ?? base.requiresDuplicateDetection,
    duplicateDetectionHistoryTimeWindowMs:
      r.duration("DuplicateDetectionHistoryTimeWindow", L.duplicateWindowMs[0], L.duplicateWindowMs[1]) ?? base.duplicateDetectionHistoryTimeWindowMs,
    enableBatchedOperations: r.boolean("EnableBatchedOperations") ?? base.enableBatchedOperations,
    status: r.status() ?? base.status,
    userMetadata: node.UserMetadata === undefined ? base.userMetadata : checkUserMetadata(r.string("UserMetadata")),
    authorizationRules: parseAuthorizationRules(node, base.authorizationRules, now),
    supportOrdering: r.boolean("SupportOrdering") ?? base.supportOrdering,
    autoDeleteOnIdleMs: r.duration("AutoDeleteOnIdle", L.autoDeleteMinMs) ?? base.autoDeleteOnIdleMs,
    enablePartitioning: r.boolean("EnablePartitioning") ?? base.enablePartitioning,
    maxMessageSizeInKilobytes:
      r.integer("MaxMessageSizeInKilobytes", L.maxMessageSizeInKilobytes[0], L.maxMessageSizeInKilobytes[1]) ?? base.maxMessageSizeInKilobytes,
  };
}

export function topicDescription(options: TopicOptions, counts: EntityCounts, subscriptionCount: number, times: EntityTimes): XmlNode {
  const node: XmlNode = {
    DefaultMessageTimeToLive: formatDuration(options.defaultMessageTimeToLiveMs),
    MaxSizeInMegabytes: reportedMaxSize(options),
    RequiresDuplicateDetection: options.requiresDuplicateDetection,
    DuplicateDetectionHistoryTimeWindow: formatDuration(options.duplicateDetectionHistoryTimeWindowMs),
    EnableBatchedOperations: options.enableBatchedOperations,
    SizeInBytes: counts.sizeInBytes,
    FilteringMessagesBeforePublishing: false,
    IsAnonymousAccessible: false,
    AuthorizationRules: authorizationRulesNode(options.authorizationRules),
    Status: options.status,
    CreatedAt: isoDate(times.createdAt),
    UpdatedAt: isoDate(times.updatedAt),
    AccessedAt: isoDate(times.accessedAt),
    SupportOrdering: options.supportOrdering,
    CountDetails: countDetails(counts),
    SubscriptionCount: subscriptionCount,
    AutoDeleteOnIdle: formatDuration(options.autoDeleteOnIdleMs),
    EnablePartitioning: options.enablePartitioning,
    // Azure answers "Available" for every entity; the .NET and JS clients read it as availabilityStatus.
    EntityAvailabilityStatus: "Available",
    IsExpress: false,
    EnableSubscriptionPartitioning: false,
    EnableExpress: false,
  };
  if (options.userMetadata !== undefined) node.UserMetadata = options.userMetadata;
  node.MaxMessageSizeInKilobytes = options.maxMessageSizeInKilobytes;
  return node;
}
