/**
 * GET /api/purchases/{id}/timeline: every event and every hop of one purchase, in order (src/timeline/
 * purchase-timeline.ts), or 404 when nothing is known of it. Hops are written a few milliseconds after they happen,
 * so the newest may show up on the next read.
 */
import { purchaseNotFound } from "../domain/errors.js";
import type { EventStore } from "../eventstore/event-store.js";
import type { ApiRequest } from "../http/api-deps.js";
import { type EndpointResult, json, withCorrelation } from "../http/api-response.js";
import { traceOf } from "../http/correlation.js";
import { calling, errorResponse } from "../http/error-responses.js";
import { pathIdProblem } from "../http/resource-id.js";
import type { HopReader } from "./hop-recorder.js";
import { buildTimeline, purchaseStreamIds } from "./purchase-timeline.js";

export interface TimelineDeps {
  store: EventStore;
  hops: HopReader;
}

export function timelineLocation(purchaseId: string): string {
  return `/api/purchases/${encodeURIComponent(purchaseId)}/timeline`;
}

export async function getPurchaseTimeline(request: ApiRequest, deps: TimelineDeps): Promise<EndpointResult> {
  const { correlationId } = traceOf(request.headers);
  const id = request.params.id ?? "";
  const instance = timelineLocation(id);
  const badId = pathIdProblem("id", id, instance);
  if (badId) return { response: withCorrelation(badId, correlationId), id };
  try {
    const [streams, hops] = await Promise.all([
      calling("The event store", () => Promise.all(purchaseStreamIds(id).map((streamId) => deps.store.readStream(streamId)))),
      calling("The timeline table", () => deps.hops.hopsOfPurchase(id)),
    ]);
    const timeline = buildTimeline(id, streams.flatMap((s) => s.events), hops);
    if (!timeline) throw purchaseNotFound(id);
    return { response: withCorrelation(json(200, timeline), correlationId), id };
  } catch (err) {
    return { response: withCorrelation(errorResponse(err, instance), correlationId), id, failure: err };
  }
}
