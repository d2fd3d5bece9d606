/**
 * GET /api/purchases/{id}/timeline: every event and every hop (published, delivered, handled: by whom, when, in
 * which trace) of one purchase, in order; 404 when nothing is known of it.
 */
import { app } from "@azure/functions";
import { getPurchaseTimeline } from "../src/timeline/timeline-endpoint.js";
import { timelineHops } from "../src/timeline/process-timeline.js";
import { endpoint } from "./http-endpoint.js";

app.get("purchases-timeline", {
  route: "purchases/{id}/timeline",
  authLevel: "anonymous",
  handler: endpoint("GET /api/purchases/{id}/timeline", (request, deps) => getPurchaseTimeline(request, { store: deps.store, hops: timelineHops() })),
});
