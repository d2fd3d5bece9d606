/**
 * What the AsyncAPI document needs to know about the messaging topology, as plain data. scripts/asyncapi.ts fills
 * it from topology/*.json with the emulator's own loaders and filter engine (the one source of the topology),
 * so the system's code in src/ stays free of the emulator.
 */

/** The broker properties of one message as a subscription rule sees them (what the outbox relay sets). */
export interface RoutedMessage {
  /** System properties by the names SQL filters use after `sys.` (Label, ContentType, ...). */
  system: Record<string, string>;
  /** Application properties (eventType or commandType, purchaseId, concertId, ...). */
  application: Record<string, string>;
}

export interface ServiceBusRule {
  name: string;
  /** The rule as text: a SQL expression, or a correlation filter's properties. */
  filter: string;
  action?: string;
}

export interface ServiceBusSubscription {
  name: string;
  requiresSession: boolean;
  lockDurationMs: number;
  maxDeliveryCount: number;
  deadLetteringOnMessageExpiration: boolean;
  rules: ServiceBusRule[];
  /** True when one of the rules lets the message into the subscription (Service Bus copies it once). */
  accepts(message: RoutedMessage): boolean;
}

export interface ServiceBusTopic {
  name: string;
  requiresDuplicateDetection: boolean;
  duplicateDetectionHistoryTimeWindowMs: number;
  defaultMessageTimeToLiveMs: number;
  maxMessageSizeInKilobytes: number;
  subscriptions: ServiceBusSubscription[];
}

export interface EventHub {
  name: string;
  partitionCount: number;
  /** Declared consumer groups (Kafka group ids), without `$Default`. */
  consumerGroups: string[];
  retentionMs: number;
}

export interface EventGridAdvancedFilter {
  operatorType: string;
  key: string;
  value?: number | boolean;
  values?: unknown[];
}

export interface EventGridSubscription {
  name: string;
  /** Where Event Grid pushes: `AzureFunction <name>`, `WebHook <url>`, `ServiceBusQueue <name>`... */
  destination: string;
  deliverySchema: string;
  /** Undefined: every event type. */
  includedEventTypes?: string[];
  subjectBeginsWith: string;
  subjectEndsWith: string;
  advancedFilters: EventGridAdvancedFilter[];
  maxDeliveryAttempts: number;
  eventTimeToLiveInMinutes: number;
}

export interface EventGridTopic {
  name: string;
  inputSchema: string;
  subscriptions: EventGridSubscription[];
}

export interface MessagingTopology {
  serviceBus: { namespace: string; topics: ServiceBusTopic[] };
  eventHubs: { namespace: string; eventHubs: EventHub[] };
  eventGrid: { topics: EventGridTopic[] };
}

/**
 * Where the outbox relay sends each kind of catalog message (design: channel `events` -> topic `events` + the
 * Kafka event hub + the Event Grid topic for `notify` events; channel `commands` -> topic `commands`).
 */
export interface MessageRouting {
  serviceBusTopic: { event: string; timeout: string; command: string };
  eventHub: string;
  eventGridTopic: string;
}
