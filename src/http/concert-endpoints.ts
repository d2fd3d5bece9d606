/**
 * The concert API:
 *   POST /api/concerts {concertId?, name, venue, startsAt, capacity, prices}   validate (400 per field; 422
 *        ConcertInThePast for a start that is not in the future) -> a concert already
 *        scheduled with other details is 409 (the same details again: 202, nothing sent twice) -> send
 *        ScheduleConcert on the command bus (503 when it cannot be sent) -> 202 with Location /api/concerts/{id}.
 *        The 202 body's `version` (1, ConcertScheduled) is what `GET /api/concerts/{id}?minVersion=1` waits for
 *        (src/http/read-endpoints.ts answers GETs from the read models).
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { concertStream } from "../commands/streams.js";
import { decideConcert } from "../domain/concert.js";
import { catalog, createMessage, type MessageData } from "../events/catalog.js";
import { StreamRepository } from "../eventstore/stream-repository.js";
import { type ApiDeps, type ApiRequest, MAX_BODY_BYTES } from "./api-deps.js";
import { type ApiResponse, type EndpointResult, json, problemResponse, withCorrelation } from "./api-response.js";
import { traceOf } from "./correlation.js";
import { calling, errorResponse, PROBLEM_TYPE_BASE } from "./error-responses.js";
import { digestOf } from "./idempotency-key.js";
import { readJsonBody } from "./json-body.js";
import { currentTime } from "../clock.js";

const schedule = catalog.ScheduleConcert.schema.shape;

/** The body of POST /api/concerts: ScheduleConcert, its id optional (a URL-safe slug when given). */
export const concertRequestSchema = z.strictObject({
  concertId: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}[a-z0-9]$/, "must be 2 to 64 lower-case letters, digits and '-', starting and ending with a letter or digit")
    .optional(),
  name: schedule.name,
  venue: schedule.venue,
  startsAt: schedule.startsAt,
  capacity: schedule.capacity.strict(),
  prices: schedule.prices.strict(),
});

/**
 * 422, not 400: the body is well-formed and valid by the schema (the same body was acceptable yesterday); what
 * refuses it is the current time (RFC 9110 15.5.21, content understood but not processable). It names `startsAt`
 * in `errors` as a validation problem does, so a client shows it on the field.
 */
function concertInThePast(startsAt: string, now: Date, instance: string): ApiResponse {
  return problemResponse(422, {
    type: PROBLEM_TYPE_BASE + "concert-in-the-past",
    title: "ConcertInThePast",
    detail: `A concert is scheduled for a time to come; startsAt ${startsAt} is not after now (${now.toISOString()}).`,
    instance,
    code: "ConcertInThePast",
    errors: [{ name: "startsAt", pointer: "#/startsAt", detail: `must be in the future (it is ${now.toISOString()} now)` }],
  });
}

export function concertLocation(concertId: string): string {
  return `/api/concerts/${encodeURIComponent(concertId)}`;
}

export async function postConcert(request: ApiRequest, deps: ApiDeps): Promise<EndpointResult> {
  const { correlationId, traceparent } = traceOf(request.headers);
  const instance = "/api/concerts";
  const reply = (response: ApiResponse, id?: string, failure?: unknown): EndpointResult => ({ response: withCorrelation(response, correlationId), ...(id ? { id } : {}), ...(failure ? { failure } : {}) });
  const input = await readJsonBody(request, concertRequestSchema, { maxBytes: MAX_BODY_BYTES, instance });
  if (!input.ok) return reply(input.problem);
  const { concertId = randomUUID(), ...details } = input.value;
  const data: MessageData<"ScheduleConcert"> = { concertId, ...details };
  const now = deps.now?.() ?? currentTime();
  if (Date.parse(details.startsAt) <= now.getTime()) return reply(concertInThePast(details.startsAt, now, instance));
  try {
    const existing = await calling("The event store", () => new StreamRepository(deps.store).load(concertStream, concertId));
    // The domain's own decision: throws ConcertAlreadyScheduled (409) for other details, nothing to do for the same.
    const events = decideConcert(existing.state, { name: "ScheduleConcert", data }, now);
    if (events.length > 0) {
      const command = createMessage("ScheduleConcert", data, {
        correlationId,
        ...(traceparent ? { traceparent } : {}),
        id: `${concertId}:ScheduleConcert:${digestOf(data)}`,
        subject: `concerts/${concertId}`,
        time: now,
      });
      await calling("The command bus", () => deps.commands.send([{ message: command, channel: "commands" }]));
    }
    const location = concertLocation(concertId);
    // ConcertScheduled is version 1 of the concert's stream: `GET ...?minVersion=1` waits for it.
    return reply(json(202, { concertId, status: events.length > 0 ? "scheduling" : "scheduled", location, version: 1 }, { location, "retry-after": "1" }), concertId);
  } catch (err) {
    return reply(errorResponse(err, instance), concertId, err);
  }
}
