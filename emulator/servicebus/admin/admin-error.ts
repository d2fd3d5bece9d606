/**
 * The administration API's one error type: an HTTP status and Azure's detail text, sent as `<Error><Code>` +
 * `<Detail>`. The SDK turns the status into its RestError code (401 UnauthorizedRequestError, 404
 * MessageEntityNotFoundError, 409 MessageEntityAlreadyExistsError, 400 ServiceError), so the status is what matters.
 */
import { randomUUID } from "node:crypto";

const tracking = () => ` TrackingId:${randomUUID()}, Timestamp:${new Date().toISOString()}`;

export class AdminError extends Error {
  constructor(
    readonly status: number,
    detail: string,
  ) {
    super(detail);
    this.name = "AdminError";
  }

  static badRequest(detail: string): AdminError {
    return new AdminError(400, `${detail} To know more visit https://aka.ms/sbResourceMgrExceptions.${tracking()}`);
  }

  static unauthorized(detail: string): AdminError {
    return new AdminError(401, `${detail}${tracking()}`);
  }

  /** A browser's cross-site request (foreign Origin), refused whatever token it carries. */
  static forbidden(detail: string): AdminError {
    return new AdminError(403, `${detail}${tracking()}`);
  }

  static notFound(namespace: string, kind: string, path: string): AdminError {
    return new AdminError(404, `Entity '${namespace}:${kind}:${path}' was not found. To know more visit https://aka.ms/sbResourceMgrExceptions.${tracking()}`);
  }

  static alreadyExists(namespace: string, kind: string, path: string): AdminError {
    return new AdminError(409, `The messaging entity '${namespace}:${kind}:${path}' already exists. To know more visit https://aka.ms/sbResourceMgrExceptions.${tracking()}`);
  }

  /** A conflict that is not "already exists" (SubCode=40901 makes the SDK report ServiceError). */
  static conflict(detail: string): AdminError {
    return new AdminError(409, `SubCode=40901. ${detail}${tracking()}`);
  }

  static methodNotAllowed(detail: string): AdminError {
    return new AdminError(405, `${detail}${tracking()}`);
  }
}
