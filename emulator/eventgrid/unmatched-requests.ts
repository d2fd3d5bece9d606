/**
 * Event Grid's answer to requests no route matched on the shared HTTP port. Azure answers a wrong publish URL with
 * 404 and Event Grid's JSON error (`{"error":{"code":"NotFound","message":"No HTTP resource was found that matches
 * the request URI '…'…"}}`), which every SDK reads into its error's code and message. The Service Bus
 * administration API shares the port and takes any other request with an api-version, answering in ATOM XML; so
 * without this a publisher with a mistyped endpoint got Service Bus's 401 XML.
 *
 * The rule, from what each SDK sends: a request is Event Grid's when
 * - it carries an Event Grid credential header, `aeg-sas-key` or `aeg-sas-token` (no Service Bus client sends one);
 * - or its api-version is Event Grid's publish version 2018-01-01, which every publisher SDK (JS, .NET, Java,
 *   Python) sends; Service Bus administration clients send 2021-05 or 2017-04;
 * - or it has no api-version and its path is under /eventgrid/ or ends in /api/events (the custom-topic path).
 * Everything else goes on to Service Bus (api-version present) or to the router's plain 404.
 */
import type http from "node:http";
import type { EmulatorHttpServer } from "../common/http-server.js";
import { publishErrors, SUPPORTED_API_VERSION } from "./errors.js";

const PUBLISH_PATH = /^\/eventgrid\/topics\/[^/]+\/api\/events\/?$/i;

/** The request URI as Azure quotes it in its 404 message: scheme, host, path and query. */
export function requestUri(req: http.IncomingMessage, url: URL): string {
  const scheme = (req.socket as { encrypted?: boolean }).encrypted ? "https" : "http";
  return `${scheme}://${req.headers.host ?? "localhost"}${url.pathname}${url.search}`;
}

export function isEventGridRequest(req: http.IncomingMessage, url: URL): boolean {
  if (req.headers["aeg-sas-key"] !== undefined || req.headers["aeg-sas-token"] !== undefined) return true;
  const apiVersion = url.searchParams.get("api-version");
  if (apiVersion === SUPPORTED_API_VERSION) return true;
  if (apiVersion !== null) return false;
  const path = url.pathname.toLowerCase().replace(/\/+$/, "");
  return path.startsWith("/eventgrid/") || path.endsWith("/api/events");
}

/** Answers Event Grid's unmatched requests: 405 (Allow: OPTIONS, POST) on a publish path, otherwise 404. */
export function registerUnmatchedEventGridRequests(http: EmulatorHttpServer): void {
  http.fallback(
    ({ req, url }) => {
      if (!isEventGridRequest(req, url)) return false;
      if (PUBLISH_PATH.test(url.pathname) && req.method !== "POST" && req.method !== "OPTIONS")
        throw publishErrors.methodNotAllowed(req.method ?? "");
      throw publishErrors.notFound(requestUri(req, url));
    },
    { first: true },
  );
}
