/**
 * The settlement service's one error type: a gRPC status code with the text Azure's host answers. On Azure the
 * Service Bus extension answers FAILED_PRECONDITION "LockToken <t> not found." for a lock token (or session) it does
 * not hold, and UNKNOWN carrying the Service Bus exception for a settlement Service Bus refused (MessageLockLost,
 * say), which the worker extension hands to the function as a rejected promise.
 */
import { status } from "@grpc/grpc-js";

export class SettlementError extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
    this.name = "SettlementError";
  }

  /** The shape grpc-js sends back as the call's status. */
  toServiceError(): { code: status; details: string } {
    return { code: this.code, details: this.message };
  }
}

export const settlementErrors = {
  lockTokenNotFound: (lockToken: string) =>
    new SettlementError(status.FAILED_PRECONDITION, `LockToken ${lockToken} not found.`),
  sessionNotFound: (sessionId: string) =>
    new SettlementError(status.FAILED_PRECONDITION, `SessionId ${sessionId} not found.`),
  badProperties: (why: string) =>
    new SettlementError(
      status.INVALID_ARGUMENT,
      `propertiesToModify is not an AMQP map of application properties: ${why}`,
    ),
  /** Service Bus refused the operation: the exception's name, text and reason code, as .NET's ToString() leads. */
  serviceBusFailed: (err: unknown) => {
    const e = err as { code?: string; message?: string };
    const reason = e.code ? ` (${e.code})` : "";
    const text = `Azure.Messaging.ServiceBus.ServiceBusException: ${e.message ?? String(err)}${reason}`;
    return new SettlementError(status.UNKNOWN, text);
  },
};
