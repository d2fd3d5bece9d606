/**
 * The public purchase API (anonymous: no function key; put it behind API Management or Easy Auth in Azure):
 *   POST /api/purchases        validated body -> 202 Accepted, Location of the purchase
 *   GET  /api/purchases/{id}   the purchase's status from the read model, or 404
 *   GET  /api/health           liveness
 * Errors are application/problem+json. Every response carries the request's correlation id (x-correlation-id,
 * taken from the request or made here), which follows the purchase through every event.
 */
import { randomUUID } from "node:crypto";
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { readJsonBody } from "../src/http/json-body.js";
import { problem } from "../src/http/problem.js";
import { purchaseRequestSchema } from "../src/services/purchases/request-purchase.js";
import { dependencies } from "./dependencies.js";

/** A purchase request is a few hundred bytes; anything much larger is refused before parsing. */
export const MAX_PURCHASE_BODY_BYTES = 16 * 1024;
const CORRELATION_HEADER = "x-correlation-id";

function correlationIdOf(request: HttpRequest): string {
  const given = request.headers.get(CORRELATION_HEADER)?.trim();
  return given && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
}

function withCorrelation(response: HttpResponseInit, correlationId: string): HttpResponseInit {
  return { ...response, headers: { ...(response.headers as Record<string, string> | undefined), [CORRELATION_HEADER]: correlationId } };
}

app.post("purchases-create", {
  route: "purchases",
  authLevel: "anonymous",
  handler: async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const correlationId = correlationIdOf(request);
    const input = await readJsonBody(request, purchaseRequestSchema, { maxBytes: MAX_PURCHASE_BODY_BYTES, instance: "/api/purchases" });
    if (!input.ok) {
      context.warn(`[correlationId=${correlationId}] purchase refused: ${input.problem.status}`);
      return withCorrelation(input.problem, correlationId);
    }
    const purchase = await dependencies().purchaseRequests.request(input.value, correlationId);
    context.log(`[correlationId=${correlationId}] purchase ${purchase.purchaseId} requested: ${purchase.tickets} ticket(s) for ${purchase.concertId}`);
    const location = `/api/purchases/${purchase.purchaseId}`;
    return withCorrelation({ status: 202, headers: { location }, jsonBody: { id: purchase.purchaseId, status: purchase.status, location } }, correlationId);
  },
});

app.get("purchases-get", {
  route: "purchases/{id}",
  authLevel: "anonymous",
  handler: async (request: HttpRequest): Promise<HttpResponseInit> => {
    const correlationId = correlationIdOf(request);
    const id = request.params.id ?? "";
    const purchase = /^[0-9a-f-]{36}$/i.test(id) ? await dependencies().purchases.get(id.toLowerCase()) : undefined;
    if (!purchase) return withCorrelation(problem(404, { detail: `There is no purchase ${id}.`, instance: `/api/purchases/${id}` }), correlationId);
    const { correlationId: _hidden, ...view } = purchase;
    return withCorrelation({ status: 200, jsonBody: { id: purchase.purchaseId, ...view } }, correlationId);
  },
});

app.get("health", {
  authLevel: "anonymous",
  handler: (): HttpResponseInit => ({ status: 200, jsonBody: { status: "healthy" } }),
});
