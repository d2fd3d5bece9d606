/**
 * The Service Bus emulator's one error type: an AMQP error condition, Azure's message text, and the status code
 * used when the error travels in a `$management` or `$cbs` reply. Made only by the named factories below, so every
 * refusal reads like Azure's and maps to the right `ServiceBusError.code` in the SDK.
 */
import { randomUUID } from "node:crypto";

export class ServiceBusFault extends Error {
  constructor(
    readonly condition: string,
    description: string,
    readonly statusCode: number,
  ) {
    super(description);
    this.name = "ServiceBusFault";
  }

  get description(): string {
    return this.message;
  }

  /** The AMQP error field for detach, close and rejected outcomes. */
  toAmqpError(): { condition: string; description: string } {
    return { condition: this.condition, description: this.message };
  }
}

const trackingSuffix = () => ` Reference:${randomUUID()}, TrackingId:${randomUUID()}, Timestamp:${new Date().toISOString()}`;

export const faults = {
  /** The SDK recognises MessagingEntityNotFound by this text. */
  entityNotFound: (address: string) =>
    new ServiceBusFault("amqp:not-found", `The messaging entity '${address}' could not be found. To know more visit https://aka.ms/sbResourceMgrExceptions.${trackingSuffix()}`, 404),
  unauthorized: (reason: string) => new ServiceBusFault("amqp:unauthorized-access", `Unauthorized access. ${reason}${trackingSuffix()}`, 401),
  messageLockLost: () =>
    new ServiceBusFault(
      "com.microsoft:message-lock-lost",
      `The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue, or was received by a different receiver instance.${trackingSuffix()}`,
      410,
    ),
  messageNotFound: (sequenceNumber: number | string) =>
    new ServiceBusFault("com.microsoft:message-not-found", `Failed to retrieve the deferred message with sequence number ${sequenceNumber}.${trackingSuffix()}`, 404),
  messageSizeExceeded: (size: number, limit: number) =>
    new ServiceBusFault(
      "amqp:link:message-size-exceeded",
      `The received message (delivery-id:0, size:${size} bytes) exceeds the limit (${limit} bytes) currently allowed on the link.${trackingSuffix()}`,
      413,
    ),
  notAllowed: (what: string) => new ServiceBusFault("amqp:not-allowed", `${what}${trackingSuffix()}`, 400),
  badRequest: (what: string) => new ServiceBusFault("com.microsoft:argument-error", `${what}${trackingSuffix()}`, 400),
  notImplemented: (operation: string) =>
    new ServiceBusFault("amqp:not-implemented", `The operation '${operation}' is not supported by this emulator.${trackingSuffix()}`, 501),
  decodeError: (what: string) => new ServiceBusFault("amqp:decode-error", what, 400),
  /** Azure's words when a connection kept no link for the allowed time (amqp/connection-limits.ts). */
  connectionInactive: (ms: number) =>
    new ServiceBusFault(
      "amqp:connection:forced",
      `The connection was inactive for more than the allowed ${ms} milliseconds and is closed by container ` +
        `'LinkTracker'.${trackingSuffix()}`,
      410,
    ),
  /** The connection sent no accepted put-token within the deadline (amqp/connection-limits.ts). */
  notAuthenticatedInTime: (ms: number) =>
    new ServiceBusFault(
      "amqp:unauthorized-access",
      `The connection was not authorized with a put-token on $cbs within the allowed ${ms} milliseconds ` +
        `and is closed.${trackingSuffix()}`,
      401,
    ),
  internal: (what: string) => new ServiceBusFault("amqp:internal-error", `${what}${trackingSuffix()}`, 500),
  sessionLockLost: (sessionId: string) =>
    new ServiceBusFault(
      "com.microsoft:session-lock-lost",
      `The session lock has expired on the MessageSession. Accept a new MessageSession. Session '${sessionId}'.${trackingSuffix()}`,
      410,
    ),
  sessionCannotBeLocked: (sessionId: string) =>
    new ServiceBusFault(
      "com.microsoft:session-cannot-be-locked",
      `The requested session '${sessionId}' cannot be accepted. It may be locked by another receiver.${trackingSuffix()}`,
      410,
    ),
  /** acceptNextSession found no session in time (the SDK reports ServiceTimeout). */
  noSessionAvailable: (timeoutMs: number) =>
    new ServiceBusFault("com.microsoft:timeout", `The operation did not complete within the allocated time ${timeoutMs} ms: no unlocked session with messages became available.${trackingSuffix()}`, 408),
  /** Azure's text for a message without SessionId sent to an entity that requires sessions. */
  sessionIdRequired: () =>
    new ServiceBusFault(
      "amqp:not-allowed",
      `The SessionId was not set on a message, and it cannot be sent to the entity. Entities that have session support enabled can only receive messages that have the SessionId set to a valid value.${trackingSuffix()}`,
      400,
    ),
  sessionReceiverNotAllowed: () =>
    new ServiceBusFault(
      "amqp:not-allowed",
      `A sessionful message receiver cannot be created on an entity that does not require sessions. Ensure RequiresSession is set to true when creating a Queue or Subscription to enable sessionful behavior.${trackingSuffix()}`,
      400,
    ),
  sessionReceiverRequired: () =>
    new ServiceBusFault("amqp:not-allowed", `It is not possible for an entity that requires sessions to create a non-sessionful message receiver.${trackingSuffix()}`, 400),
  entityAlreadyExists: (what: string) => new ServiceBusFault("com.microsoft:entity-already-exists", `${what}${trackingSuffix()}`, 409),
  /** Rejected input such as a filter that does not parse (Azure's ArgumentException). */
  argumentError: (what: string) => new ServiceBusFault("com.microsoft:argument-error", `${what}${trackingSuffix()}`, 400),
  entityDisabled: (name: string) => new ServiceBusFault("com.microsoft:entity-disabled", `Messaging entity '${name}' is currently disabled.${trackingSuffix()}`, 400),
};

/** Any thrown value as a fault (unexpected errors become internal errors). */
export function asFault(err: unknown): ServiceBusFault {
  if (err instanceof ServiceBusFault) return err;
  return faults.internal(err instanceof Error ? err.message : String(err));
}
