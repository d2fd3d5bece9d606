/**
 * The dead-letter admin API as a plain request -> response function (functions/admin.ts wires it to HTTP routes):
 *   list            GET  ?entity=E[&max=N][&from=SEQ]
 *   get             GET  /{sequenceNumber}?entity=E
 *   resubmit        POST /{sequenceNumber}/resubmit?entity=E
 *   resubmit-all    POST /resubmit?entity=E
 * E is a queue or `topic/subscriptions/subscription` (or `topic/subscription`). Bad input answers 400 problem+json
 * naming the field, an unknown entity or sequence number 404, an entity that refuses the copy 409.
 */
import { problem, type ProblemResponse, validationProblem } from "../http/problem.js";
import { InvalidEntityError, parseEntity } from "./dead-letter-entity.js";
import { DeadLetterEntityNotFoundError, DeadLetterNotFoundError, type DeadLetters, ResubmitRefusedError } from "./dead-letters.js";

export type DeadLetterOperation = "list" | "get" | "resubmit" | "resubmit-all";

export interface DeadLetterRequest {
  operation: DeadLetterOperation;
  /** The `entity` query parameter. */
  entity: string | null;
  /** The `{sequenceNumber}` route parameter (get, resubmit). */
  sequenceNumber?: string;
  /** `max` and `from` query parameters (list). */
  max?: string | null;
  from?: string | null;
  /** The request path, for the problem's `instance`. */
  instance: string;
}

export interface DeadLetterResponse {
  status: number;
  headers: Record<string, string>;
  jsonBody?: unknown;
  body?: string;
}

class BadParameter extends Error {
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(message);
  }
}

function integer(parameter: string, text: string | null | undefined, min: number, max: number, fallback?: number): number {
  if ((text === null || text === undefined || text === "") && fallback !== undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text ?? "") || !Number.isSafeInteger(value) || value < min || value > max) throw new BadParameter(parameter, `must be an integer from ${min} to ${max}`);
  return value;
}

function asResponse(p: ProblemResponse): DeadLetterResponse {
  return { status: p.status, headers: p.headers, body: p.body };
}

export async function handleDeadLetterRequest(deadLetters: DeadLetters, request: DeadLetterRequest): Promise<DeadLetterResponse> {
  const { instance } = request;
  try {
    const entity = parseEntity(request.entity);
    switch (request.operation) {
      case "list": {
        const max = integer("max", request.max, 1, 1_000, 100);
        const from = integer("from", request.from, 0, Number.MAX_SAFE_INTEGER, 0);
        const items = await deadLetters.list(entity, { max, fromSequenceNumber: from });
        return { status: 200, headers: {}, jsonBody: { entity: request.entity, count: items.length, items } };
      }
      case "get":
        return { status: 200, headers: {}, jsonBody: await deadLetters.get(entity, integer("sequenceNumber", request.sequenceNumber, 0, Number.MAX_SAFE_INTEGER)) };
      case "resubmit":
        return { status: 200, headers: {}, jsonBody: await deadLetters.resubmit(entity, integer("sequenceNumber", request.sequenceNumber, 0, Number.MAX_SAFE_INTEGER)) };
      case "resubmit-all":
        return { status: 200, headers: {}, jsonBody: await deadLetters.resubmitAll(entity) };
    }
  } catch (err) {
    if (err instanceof InvalidEntityError) return asResponse(validationProblem([{ name: "entity", pointer: "#/entity", detail: err.message }], instance));
    if (err instanceof BadParameter) return asResponse(validationProblem([{ name: err.parameter, pointer: `#/${err.parameter}`, detail: err.message }], instance));
    if (err instanceof DeadLetterEntityNotFoundError || err instanceof DeadLetterNotFoundError) return asResponse(problem(404, { detail: err.message, instance }));
    if (err instanceof ResubmitRefusedError) return asResponse(problem(409, { title: "Conflict", detail: err.message, instance }));
    throw err;
  }
}
