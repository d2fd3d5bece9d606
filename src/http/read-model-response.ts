/**
 * How the GET endpoints answer from read models (eventual consistency, made visible):
 *
 *   `?minVersion=N` (or header `x-min-version: N`)  wait, up to 5 s, until the read model reflects version N; the
 *                       202 of a write says which version it makes (PlacePurchase: purchase version 1; its outcome
 *                       is version 2).
 *   200                 the data with its `version` (also the ETag, `"N"`); `If-None-Match` with it: 304.
 *   200 + `x-read-model-stale: true` + `Retry-After: 1`   the read model had not reached minVersion in time: what it
 *                       has (an older version), so the client can show it and poll again.
 *   404                 not in the read model; with minVersion also marked stale (it may not have arrived yet).
 *   400                 minVersion that is not a whole number >= 0.
 */
import type { QueryAnswer, Consistency } from "../queries/query-bus.js";
import type { ApiRequest } from "./api-deps.js";
import { type ApiResponse, json } from "./api-response.js";
import { errorResponse } from "./error-responses.js";
import { validationProblem } from "./problem.js";

export const MIN_VERSION_PARAMETER = "minVersion";
export const MIN_VERSION_HEADER = "x-min-version";
export const STALE_HEADER = "x-read-model-stale";

export type ConsistencyRequest = { ok: true; consistency: Consistency } | { ok: false; problem: ApiResponse };

export function consistencyOf(request: ApiRequest, instance: string): ConsistencyRequest {
  const query = new URL(request.url, "http://localhost").searchParams.get(MIN_VERSION_PARAMETER);
  const header = request.headers.get(MIN_VERSION_HEADER);
  const [raw, name] = query !== null ? [query, MIN_VERSION_PARAMETER] : [header, MIN_VERSION_HEADER];
  if (raw === null) return { ok: true, consistency: {} };
  const value = raw.trim();
  if (!/^\d{1,15}$/.test(value)) {
    return { ok: false, problem: validationProblem([{ name, pointer: "", detail: "must be a whole number, 0 or more (a version from a 202 answer or an earlier read)" }], instance) };
  }
  return { ok: true, consistency: { minVersion: Number(value) } };
}

export function etagOf(version: number): string {
  return `"${version}"`;
}

const staleHeaders = { [STALE_HEADER]: "true", "retry-after": "1" };

/** The answer to a read: the body (data + version), 304 when the client has it, or `notFound` as problem+json. */
export function readModelResponse<R extends object>(request: ApiRequest, answer: QueryAnswer<R>, instance: string, notFound: () => Error): ApiResponse {
  if (!answer.found) {
    const problem = errorResponse(notFound(), instance);
    return answer.stale ? { ...problem, headers: { ...problem.headers, ...staleHeaders } } : problem;
  }
  const etag = etagOf(answer.version);
  const headers = { etag, "cache-control": "no-cache", ...(answer.stale ? staleHeaders : {}) };
  const known = request.headers.get("if-none-match");
  if (!answer.stale && known !== null && known.split(",").some((t) => t.trim().replace(/^W\//, "") === etag)) return { status: 304, headers };
  return json(200, { ...answer.data, version: answer.version }, headers);
}
