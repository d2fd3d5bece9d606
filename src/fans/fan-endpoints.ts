/**
 * The fans API (the fans service's own HTTP face), asynchronous like the rest of the API:
 *   POST /api/fans {fanId?, email, name, phone?, city?}   validate (400 per field, 413, 415) -> a fan registered
 *        with another profile is 409 (the same profile again: 202, nothing sent twice) -> send RegisterFan on the
 *        command bus (503 when it cannot be sent) -> 202 with Location /api/fans/{id}.
 *   PUT  /api/fans/{id} {email, name, phone?, city?}   the whole profile (PUT replaces it): 404 for an unknown fan,
 *        else send UpdateFanProfile -> 202 with Location.
 *   GET  /api/fans/{id}   the fan's profile from its stream (404 when unknown, and for a moment after the 202).
 * 202 rather than 201: registration goes through the fans service's command handler like every write of the
 * system, so the stream, its events and the outbox are written in one commit by one writer per fan; the API
 * itself writes nothing and a failed request leaves nothing half-done.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { fanProfileSchema, createMessage, type MessageData } from "../events/catalog.js";
import { StreamRepository } from "../eventstore/stream-repository.js";
import type { ApiDeps, ApiRequest } from "../http/api-deps.js";
import { type ApiResponse, type EndpointResult, json, withCorrelation } from "../http/api-response.js";
import { traceOf } from "../http/correlation.js";
import { calling, errorResponse } from "../http/error-responses.js";
import { digestOf } from "../http/idempotency-key.js";
import { readJsonBody } from "../http/json-body.js";
import { pathIdProblem } from "../http/resource-id.js";
import { decideFan, fanNotFound, type FanState } from "./fan.js";
import { fanStream } from "./fan-stream.js";
import { currentTime } from "../clock.js";

/** Profiles are small; anything over this is not a profile. */
export const MAX_FAN_BODY_BYTES = 16 * 1024;

const profileRequest = fanProfileSchema.strict();

/** The body of POST /api/fans: the profile, the id optional (a URL-safe slug when given, else a new uuid). */
export const fanRegistrationSchema = profileRequest.extend({
  fanId: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}[a-z0-9]$/, "must be 2 to 64 lower-case letters, digits and '-', starting and ending with a letter or digit")
    .optional(),
});

/** The body of PUT /api/fans/{id}: the whole profile. */
export const fanProfileRequestSchema = profileRequest;

export interface FanView {
  fanId: string;
  email: string;
  name: string;
  phone?: string;
  city?: string;
  registeredAt: string;
  updatedAt: string;
  /** The version of stream fan-<fanId> the answer reflects. */
  version: number;
}

export function fanLocation(fanId: string): string {
  return `/api/fans/${encodeURIComponent(fanId)}`;
}

function accepted(fanId: string, status: string): ApiResponse {
  const location = fanLocation(fanId);
  return json(202, { fanId, status, location }, { location, "retry-after": "1" });
}

async function loadFan(deps: ApiDeps, fanId: string) {
  return calling("The event store", () => new StreamRepository(deps.store).load(fanStream, fanId));
}

/** Decides on the current stream, then sends the command unless it changes nothing. */
async function sendFanCommand(request: ApiRequest, deps: ApiDeps, instance: string, command: { name: "RegisterFan" | "UpdateFanProfile"; data: MessageData<"RegisterFan"> }): Promise<EndpointResult> {
  const { correlationId, traceparent } = traceOf(request.headers);
  const fanId = command.data.fanId;
  const reply = (response: ApiResponse, failure?: unknown): EndpointResult => ({ response: withCorrelation(response, correlationId), id: fanId, ...(failure ? { failure } : {}) });
  const now = deps.now?.() ?? currentTime();
  try {
    const existing = await loadFan(deps, fanId);
    // The domain's own decision: 404 unknown fan on update, 409 another profile on registration, [] nothing to do.
    const events = decideFan(existing.state, command, now, existing.version);
    if (events.length === 0) return reply(accepted(fanId, command.name === "RegisterFan" ? "registered" : "updated"));
    const message = createMessage(command.name, command.data, {
      correlationId,
      ...(traceparent ? { traceparent } : {}),
      // Deterministic per (stream version seen, profile): a retried request is a duplicate Service Bus drops, while
      // the same profile set again after another change is a new command.
      id: `${fanId}:${command.name}:v${existing.version}:${digestOf(command.data)}`,
      subject: `fans/${fanId}`,
      time: now,
    });
    await calling("The command bus", () => deps.commands.send([{ message, channel: "commands" }]));
    return reply(accepted(fanId, command.name === "RegisterFan" ? "registering" : "updating"));
  } catch (err) {
    return reply(errorResponse(err, instance), err);
  }
}

export async function postFan(request: ApiRequest, deps: ApiDeps): Promise<EndpointResult> {
  const instance = "/api/fans";
  const input = await readJsonBody(request, fanRegistrationSchema, { maxBytes: MAX_FAN_BODY_BYTES, instance });
  if (!input.ok) return { response: withCorrelation(input.problem, traceOf(request.headers).correlationId) };
  const { fanId = randomUUID(), ...profile } = input.value;
  return sendFanCommand(request, deps, instance, { name: "RegisterFan", data: { fanId, ...profile } });
}

export async function putFan(request: ApiRequest, deps: ApiDeps): Promise<EndpointResult> {
  const fanId = request.params.id ?? "";
  const instance = fanLocation(fanId);
  const badId = pathIdProblem("id", fanId, instance);
  if (badId) return { response: withCorrelation(badId, traceOf(request.headers).correlationId), id: fanId };
  const input = await readJsonBody(request, fanProfileRequestSchema, { maxBytes: MAX_FAN_BODY_BYTES, instance });
  if (!input.ok) return { response: withCorrelation(input.problem, traceOf(request.headers).correlationId), id: fanId };
  return sendFanCommand(request, deps, instance, { name: "UpdateFanProfile", data: { fanId, ...input.value } });
}

export async function getFan(request: ApiRequest, deps: ApiDeps): Promise<EndpointResult> {
  const { correlationId } = traceOf(request.headers);
  const fanId = request.params.id ?? "";
  const badId = pathIdProblem("id", fanId, fanLocation(fanId));
  if (badId) return { response: withCorrelation(badId, correlationId), id: fanId };
  try {
    const { state, version } = await loadFan(deps, fanId);
    if (!state?.profile) throw fanNotFound(fanId);
    return { response: withCorrelation(json(200, fanView(state, version)), correlationId), id: fanId };
  } catch (err) {
    return { response: withCorrelation(errorResponse(err, fanLocation(fanId)), correlationId), id: fanId, failure: err };
  }
}

function fanView(state: FanState, version: number): FanView {
  return { fanId: state.fanId, ...state.profile, registeredAt: state.registeredAt, updatedAt: state.updatedAt, version };
}
