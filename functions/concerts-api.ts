/**
 * The concert API (anonymous here; an organiser's API would take a key or Entra ID in Azure), src/http/ does the work:
 *   POST /api/concerts        202 Accepted + Location, or problem+json
 *   GET  /api/concerts/{id}   the concert and its tickets left per tier (read model; `?minVersion=N`), or 404
 *   GET  /api/concerts/{id}/sales   tickets sold and revenue per tier (read model), or 404
 */
import { app } from "@azure/functions";
import { postConcert } from "../src/http/concert-endpoints.js";
import { getConcert, getConcertSales } from "../src/http/read-endpoints.js";
import { endpoint } from "./http-endpoint.js";

app.post("concerts-create", { route: "concerts", authLevel: "anonymous", handler: endpoint("POST /api/concerts", postConcert) });

app.get("concerts-get", { route: "concerts/{id}", authLevel: "anonymous", handler: endpoint("GET /api/concerts/{id}", getConcert) });

app.get("concert-sales-get", { route: "concerts/{id}/sales", authLevel: "anonymous", handler: endpoint("GET /api/concerts/{id}/sales", getConcertSales) });
