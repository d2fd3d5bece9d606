/**
 * The validated Event Grid topology: what `config.ts` produces from the ARM-shaped JSON file and what the model,
 * filters and delivery code read. Plain data, no behaviour.
 */
export type InputSchema = "EventGridSchema" | "CloudEventSchemaV1_0" | "CustomEventSchema";
export type DeliverySchema = "EventGridSchema" | "CloudEventSchemaV1_0" | "CustomInputSchema";

export type AdvancedFilterOperator =
  | "NumberIn"
  | "NumberNotIn"
  | "NumberLessThan"
  | "NumberGreaterThan"
  | "NumberLessThanOrEquals"
  | "NumberGreaterThanOrEquals"
  | "NumberInRange"
  | "NumberNotInRange"
  | "BoolEquals"
  | "StringContains"
  | "StringNotContains"
  | "StringBeginsWith"
  | "StringNotBeginsWith"
  | "StringEndsWith"
  | "StringNotEndsWith"
  | "StringIn"
  | "StringNotIn"
  | "IsNullOrUndefined"
  | "IsNotNull";

export interface AdvancedFilter {
  operatorType: AdvancedFilterOperator;
  key: string;
  /** Single value of NumberLessThan & co. and BoolEquals. */
  value?: number | boolean;
  /** Values of the In / String* operators, or [lo, hi] pairs of the range operators. */
  values?: (string | number | number[])[];
}

export interface SubscriptionFilter {
  /** Undefined means every event type. */
  includedEventTypes?: string[];
  subjectBeginsWith: string;
  subjectEndsWith: string;
  isSubjectCaseSensitive: boolean;
  enableAdvancedFilteringOnArrays: boolean;
  advancedFilters: AdvancedFilter[];
}

/** A custom delivery property: a header on webhook deliveries, a message property on Service Bus. */
export interface DeliveryAttributeMapping {
  name: string;
  type: "Static" | "Dynamic";
  /** Static value. */
  value?: string;
  /** Dynamic: a dotted path into the event, such as `data.orderId`. */
  sourceField?: string;
}

export interface BatchSettings {
  /** 1 when batching is off (one event per request, still a one-element array for the EventGrid schema). */
  maxEventsPerBatch: number;
  preferredBatchSizeInKilobytes: number;
  /** Whether the subscription set either batching property (CloudEvents deliveries then use the batch format). */
  enabled: boolean;
}

export type DestinationConfig =
  | { endpointType: "WebHook"; endpointUrl: string; batch: BatchSettings; deliveryAttributeMappings: DeliveryAttributeMapping[] }
  | {
      endpointType: "AzureFunction";
      resourceId: string;
      functionApp: string;
      functionName: string;
      batch: BatchSettings;
      deliveryAttributeMappings: DeliveryAttributeMapping[];
    }
  | {
      endpointType: "ServiceBusQueue" | "ServiceBusTopic";
      resourceId: string;
      /** The queue or topic name taken from the resource id. */
      entityName: string;
      deliveryAttributeMappings: DeliveryAttributeMapping[];
    };

export interface RetryPolicy {
  maxDeliveryAttempts: number;
  eventTimeToLiveInMinutes: number;
}

export interface DeadLetterConfig {
  resourceId: string;
  accountName: string;
  containerName: string;
}

export interface EventSubscriptionConfig {
  name: string;
  destination: DestinationConfig;
  filter: SubscriptionFilter;
  eventDeliverySchema: DeliverySchema;
  retryPolicy: RetryPolicy;
  deadLetter?: DeadLetterConfig;
}

export interface InputMappingField {
  sourceField?: string;
  defaultValue?: string;
}

export interface InputSchemaMapping {
  id?: InputMappingField;
  topic?: InputMappingField;
  eventTime?: InputMappingField;
  eventType?: InputMappingField;
  subject?: InputMappingField;
  dataVersion?: InputMappingField;
}

export interface TopicConfig {
  name: string;
  /** ARM id, as Azure stamps it on delivered events. */
  armId: string;
  /** Access key (base64), checked against `aeg-sas-key` and used to verify `aeg-sas-token`. */
  key: string;
  inputSchema: InputSchema;
  inputSchemaMapping?: InputSchemaMapping;
  eventSubscriptions: EventSubscriptionConfig[];
}

export interface EventGridConfig {
  subscriptionId: string;
  resourceGroup: string;
  /** Function app name -> base URL of its host (for AzureFunction destinations). */
  functionApps: Record<string, string>;
  /** Storage account name -> connection string (dead-letter containers); accounts not listed dead-letter to a folder. */
  storageAccounts: Record<string, string>;
  topics: TopicConfig[];
}
