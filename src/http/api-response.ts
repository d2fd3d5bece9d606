/**
 * What every endpoint answers: a status, headers and a body (JSON, or problem+json for errors), the request's
 * correlation id always among the headers. The shape is the Functions HttpResponseInit's, so functions return it
 * unchanged.
 */
import { CORRELATION_HEADER } from "./correlation.js";
import { problem, type Problem } from "./problem.js";

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): ApiResponse {
  return { status, headers: { "content-type": "application/json; charset=utf-8", ...headers }, body: JSON.stringify(body) };
}

export function problemResponse(status: number, fields: Partial<Problem> = {}, headers: Record<string, string> = {}): ApiResponse {
  const p = problem(status, fields);
  return { status: p.status, headers: { ...p.headers, ...headers }, body: p.body };
}

export function withCorrelation(response: { status: number; headers?: Record<string, string>; body?: string }, correlationId: string): ApiResponse {
  return { ...response, headers: { ...response.headers, [CORRELATION_HEADER]: correlationId } };
}

/** An endpoint's answer, with the id it created or found and, for a 5xx, the failure behind it (for the log). */
export interface EndpointResult {
  response: ApiResponse;
  id?: string;
  failure?: unknown;
}
