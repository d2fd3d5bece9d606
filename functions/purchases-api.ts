/**
 * The public purchase API (anonymous; put it behind API Management or Easy Auth in Azure), src/http/ does the work:
 *   POST /api/purchases        202 Accepted + Location (asynchronous request-reply), or problem+json
 *   GET  /api/purchases/{id}   the purchase's status (read model; `?minVersion=N` waits for a version), or 404
 *   GET  /api/fans/{fanId}/purchases   the fan's purchases, newest first (read model)
 *   GET|POST /api/health       liveness
 */
import { app, type HttpResponseInit } from "@azure/functions";
import { postPurchase } from "../src/http/purchase-endpoints.js";
import { getFanPurchases, getPurchase } from "../src/http/read-endpoints.js";
import { endpoint } from "./http-endpoint.js";

app.post("purchases-create", { route: "purchases", authLevel: "anonymous", handler: endpoint("POST /api/purchases", postPurchase) });

app.get("purchases-get", { route: "purchases/{id}", authLevel: "anonymous", handler: endpoint("GET /api/purchases/{id}", getPurchase) });

app.get("fan-purchases-get", { route: "fans/{fanId}/purchases", authLevel: "anonymous", handler: endpoint("GET /api/fans/{fanId}/purchases", getFanPurchases) });

app.http("health", {
  methods: ["GET", "POST"],
  authLevel: "anonymous",
  handler: (): HttpResponseInit => ({ status: 200, jsonBody: { status: "healthy" } }),
});
