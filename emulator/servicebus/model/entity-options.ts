/**
 * The properties of queues, topics, subscriptions and rules, as the model uses them (durations in ms).
 * The config file, the administration API and `$management` rule operations all produce these shapes.
 */
export interface QueueOptions {
  lockDurationMs: number;
  maxDeliveryCount: number;
  defaultMessageTimeToLiveMs: number;
  deadLetteringOnMessageExpiration: boolean;
  requiresSession: boolean;
  requiresDuplicateDetection: boolean;
  duplicateDetectionHistoryTimeWindowMs: number;
  forwardTo?: string;
  forwardDeadLetteredMessagesTo?: string;
  maxSizeInMegabytes: number;
  maxMessageSizeInKilobytes: number;
  enableBatchedOperations: boolean;
  autoDeleteOnIdleMs: number;
  enablePartitioning: boolean;
  status: EntityStatus;
  userMetadata?: string;
  /** Entity-level SAS rules (AuthorizationRules in the administration API); absent when none. */
  authorizationRules?: SharedAccessRule[];
}

export interface TopicOptions {
  defaultMessageTimeToLiveMs: number;
  requiresDuplicateDetection: boolean;
  duplicateDetectionHistoryTimeWindowMs: number;
  maxSizeInMegabytes: number;
  maxMessageSizeInKilobytes: number;
  enableBatchedOperations: boolean;
  autoDeleteOnIdleMs: number;
  enablePartitioning: boolean;
  supportOrdering: boolean;
  status: EntityStatus;
  userMetadata?: string;
  authorizationRules?: SharedAccessRule[];
}

export interface SubscriptionOptions {
  lockDurationMs: number;
  maxDeliveryCount: number;
  defaultMessageTimeToLiveMs: number;
  deadLetteringOnMessageExpiration: boolean;
  deadLetteringOnFilterEvaluationExceptions: boolean;
  requiresSession: boolean;
  forwardTo?: string;
  forwardDeadLetteredMessagesTo?: string;
  enableBatchedOperations: boolean;
  autoDeleteOnIdleMs: number;
  status: EntityStatus;
  userMetadata?: string;
}

export type AccessRight = "Manage" | "Send" | "Listen";

/** A shared access (SAS) authorization rule: a named key pair and what a token signed with it may do. */
export interface SharedAccessRule {
  keyName: string;
  rights: AccessRight[];
  primaryKey: string;
  secondaryKey: string;
  /** Epoch ms, for CreatedTime / ModifiedTime. */
  createdAt: number;
  modifiedAt: number;
}

export type EntityStatus = "Active" | "Disabled" | "SendDisabled" | "ReceiveDisabled";

/** A value a correlation filter compares a user property with. */
export type CorrelationValue = string | number | boolean | Date;

export type FilterDescription =
  | { type: "sql"; expression: string }
  | { type: "true" }
  | { type: "false" }
  | {
      type: "correlation";
      correlationId?: string;
      messageId?: string;
      to?: string;
      replyTo?: string;
      /** The message's subject (called Label in Service Bus's older APIs and in config files). */
      label?: string;
      sessionId?: string;
      replyToSessionId?: string;
      contentType?: string;
      properties?: Record<string, CorrelationValue>;
    };

export type ActionDescription = { type: "sql"; expression: string };

export interface RuleDescription {
  name: string;
  filter: FilterDescription;
  action?: ActionDescription;
}

/** Azure's 10675199 days, 02:48:05.4775807: "never" for TTL and auto-delete. */
export const MAX_TIMESPAN_MS = 922337203685477;

export const DEFAULT_RULE_NAME = "$Default";

export const queueDefaults: QueueOptions = {
  lockDurationMs: 60_000,
  maxDeliveryCount: 10,
  defaultMessageTimeToLiveMs: MAX_TIMESPAN_MS,
  deadLetteringOnMessageExpiration: false,
  requiresSession: false,
  requiresDuplicateDetection: false,
  duplicateDetectionHistoryTimeWindowMs: 10 * 60_000,
  maxSizeInMegabytes: 1024,
  maxMessageSizeInKilobytes: 256,
  enableBatchedOperations: true,
  autoDeleteOnIdleMs: MAX_TIMESPAN_MS,
  enablePartitioning: false,
  status: "Active",
};

export const topicDefaults: TopicOptions = {
  defaultMessageTimeToLiveMs: MAX_TIMESPAN_MS,
  requiresDuplicateDetection: false,
  duplicateDetectionHistoryTimeWindowMs: 10 * 60_000,
  maxSizeInMegabytes: 1024,
  maxMessageSizeInKilobytes: 256,
  enableBatchedOperations: true,
  autoDeleteOnIdleMs: MAX_TIMESPAN_MS,
  enablePartitioning: false,
  supportOrdering: true,
  status: "Active",
};

export const subscriptionDefaults: SubscriptionOptions = {
  lockDurationMs: 60_000,
  maxDeliveryCount: 10,
  defaultMessageTimeToLiveMs: MAX_TIMESPAN_MS,
  deadLetteringOnMessageExpiration: false,
  deadLetteringOnFilterEvaluationExceptions: true,
  requiresSession: false,
  enableBatchedOperations: true,
  autoDeleteOnIdleMs: MAX_TIMESPAN_MS,
  status: "Active",
};
