/**
 * Errors the domain refuses a command with. Each carries a stable code and a kind, so the HTTP layer maps it
 * without knowing the domain (not-found -> 404, conflict -> 409) and a consumer can tell a permanent refusal
 * (dead-letter the message with the code as reason) from a transient failure (let Service Bus redeliver).
 */
import type { TicketTier } from "./concert.js";

export type DomainErrorKind = "not-found" | "conflict";

export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly kind: DomainErrorKind,
    message: string,
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}

export function concertNotFound(concertId: string): DomainError {
  return new DomainError("ConcertNotFound", "not-found", `Concert ${concertId} does not exist.`);
}

export function purchaseNotFound(purchaseId: string): DomainError {
  return new DomainError("PurchaseNotFound", "not-found", `Purchase ${purchaseId} does not exist.`);
}

/**
 * `unanswered`: tickets the concert still has, of which `available` are not asked for by purchases under way (the
 * POST's admission); those may come back on sale if such a purchase is cancelled.
 */
export function soldOut(concertId: string, tier: TicketTier, requested: number, available: number, unanswered?: number): DomainError {
  if (unanswered !== undefined && unanswered > available) {
    const underWay = `${unanswered} ${tier} ticket(s) are left, ${unanswered - available} of them asked for by purchases under way`;
    return new DomainError("SoldOut", "conflict", `Concert ${concertId}: ${underWay}; ${requested} requested. Tickets a cancelled purchase gives back go on sale again.`);
  }
  return new DomainError("SoldOut", "conflict", `Concert ${concertId} has ${available} ${tier} ticket(s) left; ${requested} requested.`);
}

/** Tickets are sold until the concert starts: a purchase after that is refused, not queued. */
export function concertAlreadyStarted(concertId: string, startsAt: string): DomainError {
  const message = `Concert ${concertId} started at ${startsAt}; its tickets are no longer on sale.`;
  return new DomainError("ConcertAlreadyStarted", "conflict", message);
}

export function concertAlreadyScheduled(concertId: string): DomainError {
  return new DomainError("ConcertAlreadyScheduled", "conflict", `Concert ${concertId} is already scheduled with different details.`);
}

export function purchaseConflict(purchaseId: string): DomainError {
  return new DomainError("PurchaseConflict", "conflict", `Purchase ${purchaseId} already exists with different details.`);
}

/** The HTTP status a refusal answers with. */
export function httpStatusOf(error: DomainError): 404 | 409 {
  return error.kind === "not-found" ? 404 : 409;
}
