/**
 * The purchase API (asynchronous request-reply):
 *   POST /api/purchases {concertId, fan | fanId, tier, quantity}   validate (400 each field, 413, 415) -> a
 *        registered fan's details (`fanId`) come from the ticketing side's fan replica (404 unknown fan), a guest's
 *        (`fan`) from the body -> the concert must exist (404), not have started (409 ConcertAlreadyStarted) and
 *        have the tickets left right now, less those purchases accepted here still wait for
 *        (src/commands/tickets-spoken-for.ts; 409 sold out) -> send PlacePurchase on the command bus (503 when it
 *        cannot be sent; nothing is written) -> 202 with Location /api/purchases/{id} to poll.
 *        The 202 body's `version` (1) is the purchase version the command makes: `GET /api/purchases/{id}?minVersion=1`
 *        waits for it (src/http/read-endpoints.ts answers GETs from the read models); the outcome is version 2.
 * With an Idempotency-Key, a retried POST places nothing twice: 202 for the same purchase while it is pending,
 * 303 See Other to it once it has its outcome (completed or cancelled).
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { ensureTicketsLeft } from "../commands/purchase-queries.js";
import { purchaseStream } from "../commands/streams.js";
import { decidePurchase } from "../domain/purchase.js";
import { catalog, createMessage, fanSchema, type MessageData, ticketTier } from "../events/catalog.js";
import { registeredFan } from "../fans/replica/registered-fan.js";
import { StreamRepository } from "../eventstore/stream-repository.js";
import { type ApiDeps, type ApiRequest, MAX_BODY_BYTES } from "./api-deps.js";
import { type ApiResponse, type EndpointResult, json, problemResponse, withCorrelation } from "./api-response.js";
import { traceOf } from "./correlation.js";
import { calling, errorResponse } from "./error-responses.js";
import { digestOf, IDEMPOTENCY_KEY_HEADER, idempotencyKeyOf, purchaseIdFor } from "./idempotency-key.js";
import { readJsonBody } from "./json-body.js";
import { MIN_VERSION_PARAMETER } from "./read-model-response.js";
import { resourceId } from "./resource-id.js";
import { validationProblem } from "./problem.js";
import { recordRequest } from "../timeline/request-hop.js";
import { currentTime } from "../clock.js";

const place = catalog.PlacePurchase.schema.shape;

/**
 * The body of POST /api/purchases: PlacePurchase without the id (the API assigns it), the fan either given (a guest)
 * or named by `fanId` (a registered fan); unknown fields refused.
 */
export const purchaseRequestSchema = z
  .strictObject({
    concertId: resourceId(),
    fan: fanSchema
      .extend({ id: resourceId(64) })
      .strict()
      .optional()
      .describe("A guest's details. Give either `fan` or `fanId`."),
    fanId: resourceId(64).optional().describe("A registered fan (POST /api/fans): the details are the ticketing side's copy of the fan's current profile."),
    tier: ticketTier,
    quantity: place.quantity,
  })
  .superRefine(
    (body, ctx) => {
      if (body.fan === undefined && body.fanId === undefined) ctx.addIssue({ code: "custom", path: ["fan"], message: "is required (or fanId, for a registered fan)" });
      if (body.fan !== undefined && body.fanId !== undefined) ctx.addIssue({ code: "custom", path: ["fanId"], message: "give either fan or fanId, not both" });
    },
    // Also when other fields are wrong, so `{}` lists the missing fan with the rest (zod skips refinements then).
    { when: (payload) => isPlainObject(payload.value) },
  );

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
export type PurchaseRequest = z.output<typeof purchaseRequestSchema>;

export function purchaseLocation(purchaseId: string): string {
  return `/api/purchases/${encodeURIComponent(purchaseId)}`;
}

export async function postPurchase(request: ApiRequest, deps: ApiDeps): Promise<EndpointResult> {
  const { correlationId, traceparent } = traceOf(request.headers);
  const instance = "/api/purchases";
  const reply = (response: ApiResponse, id?: string, failure?: unknown): EndpointResult => ({ response: withCorrelation(response, correlationId), ...(id ? { id } : {}), ...(failure ? { failure } : {}) });
  const idempotency = idempotencyKeyOf(request.headers);
  if (!idempotency.ok) return reply(validationProblem([{ name: "Idempotency-Key", pointer: "", detail: idempotency.detail }], instance));
  const input = await readJsonBody(request, purchaseRequestSchema, { maxBytes: MAX_BODY_BYTES, instance });
  if (!input.ok) return reply(input.problem);
  const { fan: guest, fanId, ...body } = input.value;
  let fan: MessageData<"PlacePurchase">["fan"];
  try {
    fan = guest ?? (await registeredFan(deps.fanReplica, fanId!));
  } catch (err) {
    return reply(errorResponse(err, instance), undefined, err);
  }
  const purchaseId = idempotency.key === undefined ? randomUUID() : purchaseIdFor(fan.id, idempotency.key);
  const data: MessageData<"PlacePurchase"> = { purchaseId, ...body, fan };
  const now = deps.now?.() ?? currentTime();
  try {
    if (idempotency.key !== undefined) {
      const existing = await calling("The event store", () => new StreamRepository(deps.store).load(purchaseStream, purchaseId));
      if (existing.state) {
        try {
          decidePurchase(existing.state, { name: "PlacePurchase", data }, now);
        } catch {
          return reply(
            problemResponse(422, { detail: `The ${IDEMPOTENCY_KEY_HEADER} was used for another purchase with different details.`, instance, code: "IdempotencyKeyReused" }),
          );
        }
        if (existing.state.status === "pending") return reply(accepted(purchaseId, "pending"), purchaseId);
        return reply(seeOther(purchaseId, existing.state.status, existing.version), purchaseId);
      }
    }
    const admission = deps.spokenFor ? { spokenFor: deps.spokenFor, purchaseId } : undefined;
    await calling("The event store", () => ensureTicketsLeft(deps.store, body.concertId, body.tier, body.quantity, now, admission));
    const command = createMessage("PlacePurchase", data, {
      correlationId,
      ...(traceparent ? { traceparent } : {}),
      // Deterministic: a retry with the same key and body is the same message, which duplicate detection drops.
      id: `${purchaseId}:PlacePurchase:${digestOf(data)}`,
      subject: `purchases/${purchaseId}`,
      time: now,
    });
    try {
      await calling("The command bus", () => deps.commands.send([{ message: command, channel: "commands" }]));
    } catch (err) {
      deps.spokenFor?.withdraw(body.concertId, purchaseId);
      throw err;
    }
    recordRequest(command, "POST /api/purchases", now);
    return reply(accepted(purchaseId, "pending"), purchaseId);
  } catch (err) {
    return reply(errorResponse(err, instance), purchaseId, err);
  }
}

/** PurchasePlaced is version 1 of the purchase's stream: what a client waits for with `?minVersion=1`. */
export const PLACED_VERSION = 1;

/**
 * A retry of a purchase that already has its outcome: RFC 9110 (9.3.3) lets a POST whose result is an existing
 * resource answer 303 See Other to it. A client following it (fetch, browsers, curl -L) GETs the purchase as it
 * stands, from the read model once it reflects `version` (the write side's), instead of a 202 "pending" that is no
 * longer true; one that does not follow still sees the status and where to look.
 */
function seeOther(purchaseId: string, status: string, version: number): ApiResponse {
  const location = `${purchaseLocation(purchaseId)}?${MIN_VERSION_PARAMETER}=${version}`;
  return json(303, { purchaseId, status, location, version }, { location });
}

function accepted(purchaseId: string, status: string): ApiResponse {
  const location = purchaseLocation(purchaseId);
  return json(202, { purchaseId, status, location, version: PLACED_VERSION }, { location, "retry-after": "1" });
}
