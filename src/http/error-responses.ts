/**
 * How failures become problem+json: a domain refusal by its kind (not-found 404, conflict 409, with its code), a
 * concurrent writer 409, a dependency that could not be reached (the command bus, the event store) 503 with
 * Retry-After, anything else 500 without internals (the log has them).
 */
import { isDomainError } from "../domain/errors.js";
import { WrongExpectedVersionError } from "../eventstore/event-store.js";
import { type ApiResponse, problemResponse } from "./api-response.js";

export const PROBLEM_TYPE_BASE = "https://musicfest.example/problems/";

/** A dependency failed (network, 5xx, timeout): the request changed nothing and may be retried later. */
export class DependencyUnavailableError extends Error {
  constructor(
    readonly dependency: string,
    cause: unknown,
  ) {
    super(`${dependency} is unavailable: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = "DependencyUnavailableError";
  }
}

/** Runs a call to `dependency`, turning its failure into DependencyUnavailableError (domain refusals pass through). */
export async function calling<T>(dependency: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (isDomainError(err) || err instanceof WrongExpectedVersionError) throw err;
    throw new DependencyUnavailableError(dependency, err);
  }
}

function kebab(code: string): string {
  return code.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
}

export function errorResponse(err: unknown, instance: string): ApiResponse {
  if (isDomainError(err)) {
    return problemResponse(err.kind === "not-found" ? 404 : 409, { type: PROBLEM_TYPE_BASE + kebab(err.code), title: err.code, detail: err.message, instance, code: err.code });
  }
  if (err instanceof WrongExpectedVersionError) {
    return problemResponse(409, { type: PROBLEM_TYPE_BASE + "concurrency-conflict", title: "Conflict", detail: "Another request changed this resource at the same time; retry.", instance, code: err.code });
  }
  if (err instanceof DependencyUnavailableError) {
    return problemResponse(503, { detail: `${err.dependency} is unavailable right now; nothing was changed. Retry later.`, instance }, { "retry-after": "5" });
  }
  return problemResponse(500, { detail: "The request failed unexpectedly; nothing was changed.", instance });
}
