/**
 * The public purchase API (anonymous; put it behind API Management or Easy Auth in Azure), src/http/ does the work:
 *   POST /api/purchases        202 Accepted + Location (asynchronous request-reply), or problem+json
 *   GET  /api/purchases/{id}   the purchase's status, or 404
 *   GET|POST /api/health       liveness
 */
import { app, type HttpResponseInit } from "@azure/functions";
import { getPurchase, postPurchase } from "../src/http/purchase-endpoints.js";
import { endpoint } from "./http-endpoint.js";

app.post("purchases-create", { route: "purchases", authLevel: "anonymous", handler: endpoint("POST /api/purchases", postPurchase) });

app.get("purchases-get", { route: "purchases/{id}", authLevel: "anonymous", handler: endpoint("GET /api/purchases/{id}", getPurchase) });

app.http("health", {
  methods: ["GET", "POST"],
  authLevel: "anonymous",
  handler: (): HttpResponseInit => ({ status: 200, jsonBody: { status: "healthy" } }),
});
