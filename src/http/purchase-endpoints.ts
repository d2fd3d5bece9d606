/**
 * The purchase API (asynchronous request-reply):
 *   POST /api/purchases {concertId, fan, tier, quantity}   validate (400 each field, 413, 415) -> the concert must
 *        exist (404) and have the tickets left right now (409 sold out) -> send PlacePurchase on the command bus
 *        (503 when it cannot be sent; nothing is written) -> 202 with Location /api/purchases/{id} to poll.
 *   GET  /api/purchases/{id}   the purchase's status (pending, completed, cancelled with its reason) from its stream,
 *        or 404 (also for a moment after the 202, until the purchases handler has placed it).
 * With an Idempotency-Key, a retried POST answers 202 for the same purchase and places nothing twice.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { type PurchaseStatusView, ensureTicketsLeft, purchaseStatus } from "../commands/purchase-queries.js";
import { purchaseStream } from "../commands/streams.js";
import { decidePurchase } from "../domain/purchase.js";
import { catalog, createMessage, fanSchema, type MessageData, ticketTier } from "../events/catalog.js";
import { StreamRepository } from "../eventstore/stream-repository.js";
import { type ApiDeps, type ApiRequest, MAX_BODY_BYTES } from "./api-deps.js";
import { type ApiResponse, type EndpointResult, json, problemResponse, withCorrelation } from "./api-response.js";
import { traceOf } from "./correlation.js";
import { calling, errorResponse } from "./error-responses.js";
import { digestOf, IDEMPOTENCY_KEY_HEADER, idempotencyKeyOf, purchaseIdFor } from "./idempotency-key.js";
import { readJsonBody } from "./json-body.js";
import { validationProblem } from "./problem.js";
import { recordRequest } from "../timeline/request-hop.js";

const place = catalog.PlacePurchase.schema.shape;

/** The body of POST /api/purchases: PlacePurchase without the id (the API assigns it); unknown fields refused. */
export const purchaseRequestSchema = z.strictObject({
  concertId: place.concertId,
  fan: fanSchema.strict(),
  tier: ticketTier,
  quantity: place.quantity,
});
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
  const body = input.value;
  const purchaseId = idempotency.key === undefined ? randomUUID() : purchaseIdFor(body.fan.id, idempotency.key);
  const data: MessageData<"PlacePurchase"> = { purchaseId, ...body };
  const now = deps.now?.() ?? new Date();
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
        return reply(accepted(purchaseId, existing.state.status), purchaseId);
      }
    }
    await calling("The event store", () => ensureTicketsLeft(deps.store, body.concertId, body.tier, body.quantity));
    const command = createMessage("PlacePurchase", data, {
      correlationId,
      ...(traceparent ? { traceparent } : {}),
      // Deterministic: a retry with the same key and body is the same message, which duplicate detection drops.
      id: `${purchaseId}:PlacePurchase:${digestOf(data)}`,
      subject: `purchases/${purchaseId}`,
      time: now,
    });
    await calling("The command bus", () => deps.commands.send([{ message: command, channel: "commands" }]));
    recordRequest(command, "POST /api/purchases", now);
    return reply(accepted(purchaseId, "pending"), purchaseId);
  } catch (err) {
    return reply(errorResponse(err, instance), purchaseId, err);
  }
}

function accepted(purchaseId: string, status: string): ApiResponse {
  const location = purchaseLocation(purchaseId);
  return json(202, { purchaseId, status, location }, { location, "retry-after": "1" });
}

export async function getPurchase(request: ApiRequest, deps: ApiDeps): Promise<EndpointResult> {
  const { correlationId } = traceOf(request.headers);
  const id = request.params.id ?? "";
  const instance = purchaseLocation(id);
  try {
    const view: PurchaseStatusView = await calling("The event store", () => purchaseStatus(deps.store, id));
    return { response: withCorrelation(json(200, view), correlationId), id };
  } catch (err) {
    return { response: withCorrelation(errorResponse(err, instance), correlationId), id, failure: err };
  }
}
