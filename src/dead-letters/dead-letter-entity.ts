/**
 * Which dead-letter queue: a queue's, or a topic subscription's. Written as the entity path Service Bus uses
 * (`orders`, `commands/subscriptions/payments`, case-insensitive `Subscriptions`), or the short `commands/payments`.
 * A topic alone has no dead-letter queue.
 */
export type DeadLetterEntity = { kind: "queue"; queue: string } | { kind: "subscription"; topic: string; subscription: string };

export class InvalidEntityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidEntityError";
  }
}

// Service Bus entity names: letters, digits, periods, hyphens, underscores (and slashes for queue paths we do not use).
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,259}$/;

export function parseEntity(text: string | null | undefined): DeadLetterEntity {
  const value = (text ?? "").trim();
  if (!value) throw new InvalidEntityError("Name the entity whose dead letters you want: a queue, or topic/subscriptions/subscription.");
  const parts = value.split("/");
  const checked = (name: string) => {
    if (!NAME.test(name)) throw new InvalidEntityError(`'${name}' is not a Service Bus entity name (letters, digits, '.', '-', '_').`);
    return name;
  };
  if (parts.length === 1) return { kind: "queue", queue: checked(parts[0]) };
  if (parts.length === 2) return { kind: "subscription", topic: checked(parts[0]), subscription: checked(parts[1]) };
  if (parts.length === 3 && parts[1].toLowerCase() === "subscriptions") return { kind: "subscription", topic: checked(parts[0]), subscription: checked(parts[2]) };
  throw new InvalidEntityError(`'${value}' is not a queue or topic/subscriptions/subscription path.`);
}

export function entityPath(entity: DeadLetterEntity): string {
  return entity.kind === "queue" ? entity.queue : `${entity.topic}/subscriptions/${entity.subscription}`;
}

/** Where a resubmitted message goes: the queue, or the subscription's topic (Service Bus sends to nothing else). */
export function resubmitTarget(entity: DeadLetterEntity): string {
  return entity.kind === "queue" ? entity.queue : entity.topic;
}
