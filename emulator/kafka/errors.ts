/**
 * Kafka error codes the endpoint answers with (names as in the Kafka protocol and kafkajs `protocol/error.js`), and
 * KafkaApiError, the one refusal type: a code plus a message worded as Event Hubs words it.
 */
export const ErrorCode = {
  NONE: 0,
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  MESSAGE_TOO_LARGE: 10,
  OFFSET_METADATA_TOO_LARGE: 12,
  COORDINATOR_NOT_AVAILABLE: 15,
  NOT_COORDINATOR: 16,
  INVALID_TOPIC_EXCEPTION: 17,
  INVALID_REQUIRED_ACKS: 21,
  ILLEGAL_GENERATION: 22,
  INCONSISTENT_GROUP_PROTOCOL: 23,
  INVALID_GROUP_ID: 24,
  UNKNOWN_MEMBER_ID: 25,
  INVALID_SESSION_TIMEOUT: 26,
  REBALANCE_IN_PROGRESS: 27,
  TOPIC_AUTHORIZATION_FAILED: 29,
  GROUP_AUTHORIZATION_FAILED: 30,
  CLUSTER_AUTHORIZATION_FAILED: 31,
  UNSUPPORTED_SASL_MECHANISM: 33,
  ILLEGAL_SASL_STATE: 34,
  UNSUPPORTED_VERSION: 35,
  INVALID_REQUEST: 42,
  UNSUPPORTED_FOR_MESSAGE_FORMAT: 43,
  POLICY_VIOLATION: 44,
  OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
  INVALID_PRODUCER_EPOCH: 47,
  SASL_AUTHENTICATION_FAILED: 58,
  UNKNOWN_PRODUCER_ID: 59,
  NON_EMPTY_GROUP: 68,
  GROUP_ID_NOT_FOUND: 69,
  UNSUPPORTED_COMPRESSION_TYPE: 76,
  MEMBER_ID_REQUIRED: 79,
} as const;

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

export class KafkaApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = "KafkaApiError";
  }
}

/** Named refusals, so every place that refuses the same thing says it the same way. */
export const refuse = {
  unknownTopic: (topic: string) =>
    new KafkaApiError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The event hub '${topic}' does not exist in this namespace.`),
  invalidTopic: (topic: string, problem: string) =>
    new KafkaApiError(
      ErrorCode.INVALID_TOPIC_EXCEPTION,
      `'${topic.slice(0, 300)}' is not a valid topic name: ${problem}.`,
    ),
  notAuthorized: (topic: string, right: string) =>
    new KafkaApiError(ErrorCode.TOPIC_AUTHORIZATION_FAILED, `Unauthorized access. '${right}' claim(s) are required to perform this operation on '${topic}'.`),
  createTopicsDisabled: () =>
    new KafkaApiError(
      ErrorCode.POLICY_VIOLATION,
      "Event hubs are provisioned from configuration (the Event Hubs Config.json, --eventhubs-config); creating them through the Kafka endpoint is not supported.",
    ),
};
