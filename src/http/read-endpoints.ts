/**
 * The query side of the HTTP API: every GET here answers from a read model through the query bus (never from the
 * event store), with the read model's version and read-your-writes (src/http/read-model-response.ts):
 *   GET /api/purchases/{id}              the purchase's status (purchasestatus)
 *   GET /api/concerts/{id}               the concert and its tickets left per tier (concertavailability)
 *   GET /api/fans/{fanId}/purchases      a fan's purchases, newest first (fanpurchases)
 *   GET /api/concerts/{id}/sales         tickets sold and revenue per tier (concertsales)
 * The POST endpoints' synchronous checks (concert exists, tickets left) still read the write side: a command is
 * validated against the aggregate it will change, not against a copy that may lag.
 */
import { concertNotFound, DomainError, purchaseNotFound } from "../domain/errors.js";
import type { QueryAnswer } from "../queries/query-bus.js";
import type { ReadModelQueries, ReadModelQueryBus } from "../queries/read-model-queries.js";
import type { ApiDeps, ApiRequest } from "./api-deps.js";
import { type EndpointResult, withCorrelation } from "./api-response.js";
import { traceOf } from "./correlation.js";
import { calling, errorResponse } from "./error-responses.js";
import { consistencyOf, readModelResponse } from "./read-model-response.js";
import { pathIdProblem } from "./resource-id.js";

const path = (...segments: string[]) => `/api/${segments.map(encodeURIComponent).join("/")}`;

async function read<K extends keyof ReadModelQueries>(
  request: ApiRequest,
  deps: ApiDeps,
  query: K,
  params: ReadModelQueries[K]["params"],
  instance: string,
  notFound: () => Error,
  pathParam = "id",
): Promise<EndpointResult> {
  const { correlationId } = traceOf(request.headers);
  const id = Object.values(params)[0] as string;
  const reply = (response: EndpointResult["response"], failure?: unknown): EndpointResult => ({ response: withCorrelation(response, correlationId), id, ...(failure ? { failure } : {}) });
  const badId = pathIdProblem(pathParam, id, instance);
  if (badId) return reply(badId);
  const consistency = consistencyOf(request, instance);
  if (!consistency.ok) return reply(consistency.problem);
  try {
    const bus: ReadModelQueryBus | undefined = deps.queries;
    if (!bus) throw new Error("the query bus is not wired into the API (ApiDeps.queries)");
    const answer = (await calling("The read model", () => bus.ask(query, params, consistency.consistency))) as QueryAnswer<object>;
    return reply(readModelResponse(request, answer, instance, notFound));
  } catch (err) {
    return reply(errorResponse(err, instance), err);
  }
}

export function getPurchase(request: ApiRequest, deps: ApiDeps): Promise<EndpointResult> {
  const purchaseId = request.params.id ?? "";
  return read(request, deps, "PurchaseStatus", { purchaseId }, path("purchases", purchaseId), () => purchaseNotFound(purchaseId));
}

export function getConcert(request: ApiRequest, deps: ApiDeps): Promise<EndpointResult> {
  const concertId = request.params.id ?? "";
  return read(request, deps, "ConcertAvailability", { concertId }, path("concerts", concertId), () => concertNotFound(concertId));
}

export function getConcertSales(request: ApiRequest, deps: ApiDeps): Promise<EndpointResult> {
  const concertId = request.params.id ?? "";
  return read(request, deps, "ConcertSales", { concertId }, path("concerts", concertId, "sales"), () => concertNotFound(concertId));
}

/** An unknown fan has no purchases: 200 with an empty list (the read model cannot tell the two apart). */
export function getFanPurchases(request: ApiRequest, deps: ApiDeps): Promise<EndpointResult> {
  const fanId = request.params.fanId ?? "";
  return read(request, deps, "FanPurchases", { fanId }, path("fans", fanId, "purchases"), () => new DomainError("FanNotFound", "not-found", `Fan ${fanId} has no purchases.`), "fanId");
}
