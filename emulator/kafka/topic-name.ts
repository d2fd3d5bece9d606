/**
 * Which topic names can never exist, so the endpoint answers INVALID_TOPIC_EXCEPTION (17) instead of
 * UNKNOWN_TOPIC_OR_PARTITION (3): a client then fails at once rather than retrying until its metadata timeout.
 *
 * The rule is Kafka's (org.apache.kafka.common.internals.Topic: letters, digits, '.', '_' and '-', not "." or ".."),
 * with Event Hubs' name length limit (256 characters) in place of Kafka's 249, since any event hub name is a topic.
 * Only names that match no configured hub are judged, so a hub the config allows (e.g. with '/') is never refused.
 */
const LEGAL_CHARACTERS = /^[A-Za-z0-9._-]+$/;
/** Event Hubs' limit on an event hub name (quotas: "Size of an event hub name: 256 characters"). */
export const MAX_TOPIC_NAME_LENGTH = 256;

/** Why `name` is not a legal topic name, or undefined when it is. */
export function topicNameProblem(name: string): string | undefined {
  if (name.length === 0) return "the name is empty";
  if (name === "." || name === "..") return `'${name}' is not allowed`;
  if (name.length > MAX_TOPIC_NAME_LENGTH) return `the name is longer than ${MAX_TOPIC_NAME_LENGTH} characters`;
  if (!LEGAL_CHARACTERS.test(name)) return "only letters, digits, '.', '_' and '-' are allowed";
  return undefined;
}
