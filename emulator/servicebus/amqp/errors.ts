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
  internal: (what: string) => new ServiceBusFault("amqp:internal-error", `${what}${trackingSuffix()}`, 500),
  entityDisabled: (name: string) => new ServiceBusFault("com.microsoft:entity-disabled", `Messaging entity '${name}' is currently disabled.${trackingSuffix()}`, 400),
};

/** Any thrown value as a fault (unexpected errors become internal errors). */
export function asFault(err: unknown): ServiceBusFault {
  if (err instanceof ServiceBusFault) return err;
  return faults.internal(err instanceof Error ? err.message : String(err));
}
