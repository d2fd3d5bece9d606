/**
 * Event Grid's routes on the emulator's HTTP port:
 * - `POST /eventgrid/topics/NAME/api/events`: publish (what `EventGridPublisherClient` calls), answering exactly 200;
 * - `OPTIONS` on the same path: Azure's Allow / api-supported-versions answer;
 * - `GET /eventgrid/topics[/NAME[/eventSubscriptions[/SUB]]]`: topics, subscriptions and delivery state as JSON;
 * - `GET /eventgrid/topics/NAME/eventSubscriptions/SUB/validate?id=CODE`: the manual validation URL;
 * - `PATCH /eventgrid/topics/NAME/eventSubscriptions/SUB` with an ARM update body
 *   `{"properties":{"destination":{"endpointType":"WebHook","properties":{"endpointUrl":URL}}}}`: a WebHook
 *   subscription's new endpoint (handshake again), as `az eventgrid event-subscription update --endpoint` does.
 *   It needs the namespace key and refuses foreign browser origins, as the emulator's other mutating routes.
 * - anything else that looks like an Event Grid request: 404 / 405 in Event Grid's format (unmatched-requests.ts).
 */
import { randomUUID } from "node:crypto";
import type http from "node:http";
import type { Clock } from "../common/clock.js";
import type { Logger } from "../common/logger.js";
import { type EmulatorHttpServer, HttpError, readBody, sendJson } from "../common/http-server.js";
import type { SubscriptionState } from "./delivery/subscription-state.js";
import { WebhookUpdateError } from "./webhook-update-error.js";
import { publishErrors, SUPPORTED_API_VERSION } from "./errors.js";
import type { EventGridTopic } from "./model/topic.js";
import { authenticate } from "./publish/authenticate.js";
import { DOCUMENTED_MAX_REQUEST_BYTES, MAX_REQUEST_BYTES, parsePublishedEvents } from "./publish/parse-events.js";
import { registerUnmatchedEventGridRequests, requestUri } from "./unmatched-requests.js";

export const PUBLISH_PATH = (topic: string) => `/eventgrid/topics/${topic}/api/events`;

/** Reads the body; past the limit it keeps draining (so the client reads our 413 instead of a reset) and throws. */
function readPublishBody(req: http.IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REQUEST_BYTES) chunks.push(chunk);
    });
    req.on("error", reject);
    req.on("end", () => {
      if (size > MAX_REQUEST_BYTES || declared > MAX_REQUEST_BYTES) reject(publishErrors.requestTooLarge(MAX_REQUEST_BYTES));
      else resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    });
  });
}

export interface EventGridRouteContext {
  topics: Map<string, EventGridTopic>;
  clock: Clock;
  logger: Logger;
  endpointOf(topic: string): string;
  updateWebhookEndpoint(topic: string, subscription: string, endpointUrl: string): SubscriptionState;
}

export function registerEventGridRoutes(http: EmulatorHttpServer, ctx: EventGridRouteContext): void {
  registerUnmatchedEventGridRequests(http);
  const topicOr404 = (name: string, req: http.IncomingMessage, url: URL): EventGridTopic => {
    const topic = ctx.topics.get(name.toLowerCase());
    if (!topic) throw publishErrors.notFound(requestUri(req, url));
    return topic;
  };
  const topicSummary = (t: EventGridTopic) => ({
    name: t.config.name,
    id: t.config.armId,
    endpoint: ctx.endpointOf(t.config.name),
    inputSchema: t.config.inputSchema,
    published: t.published,
    unmatched: t.unmatched,
    eventSubscriptions: [...t.dispatchers.values()].map((d) => d.config.name),
  });

  http.route("POST", "/eventgrid/topics/:topic/api/events", async ({ req, res, params, url }) => {
    const topic = topicOr404(params.topic, req, url);
    const apiVersion = url.searchParams.get("api-version");
    if (apiVersion !== null && apiVersion !== SUPPORTED_API_VERSION) throw publishErrors.unsupportedApiVersion(apiVersion);
    const now = ctx.clock.now();
    const host = req.headers.host ?? "localhost";
    // The whole body is read first, so an early refusal never leaves the client writing into a closed request.
    const body = await readPublishBody(req);
    authenticate(req.headers, { key: topic.config.key, publishPath: PUBLISH_PATH(topic.config.name).toLowerCase(), host, now });
    const events = parsePublishedEvents(topic.config, req.headers, body, now);
    topic.publish(events);
    if (body.length > DOCUMENTED_MAX_REQUEST_BYTES) {
      ctx.logger.warn("publish request over the documented 1 MB; accepted, as Azure takes up to 1,536,000 bytes", {
        topic: topic.config.name,
        bytes: body.length,
      });
    }
    res.writeHead(200, { "content-length": "0", "x-ms-request-id": randomUUID(), "api-supported-versions": SUPPORTED_API_VERSION });
    res.end();
  });

  http.route("OPTIONS", "/eventgrid/topics/:topic/api/events", ({ req, res, params, url }) => {
    const topic = topicOr404(params.topic, req, url);
    res.writeHead(200, { allow: "OPTIONS, POST", "api-supported-versions": SUPPORTED_API_VERSION, "aeg-input-event-schema": topic.config.inputSchema, "content-length": "0" });
    res.end();
  });

  http.route("GET", "/eventgrid/topics", ({ res }) => {
    sendJson(res, 200, { value: [...ctx.topics.values()].map(topicSummary) });
  });

  http.route("GET", "/eventgrid/topics/:topic", ({ req, res, params, url }) => {
    const topic = topicOr404(params.topic, req, url);
    sendJson(res, 200, { ...topicSummary(topic), eventSubscriptions: [...topic.dispatchers.values()].map((d) => d.snapshot()) });
  });

  http.route("GET", "/eventgrid/topics/:topic/eventSubscriptions", ({ req, res, params, url }) => {
    const topic = topicOr404(params.topic, req, url);
    sendJson(res, 200, { value: [...topic.dispatchers.values()].map((d) => d.snapshot()) });
  });

  const subscriptionOr404 = (params: Record<string, string>, req: http.IncomingMessage, url: URL) => {
    const sub = topicOr404(params.topic, req, url).subscription(params.sub);
    if (!sub) throw publishErrors.notFound(requestUri(req, url));
    return sub;
  };

  http.route("GET", "/eventgrid/topics/:topic/eventSubscriptions/:sub", ({ req, res, params, url }) => {
    sendJson(res, 200, subscriptionOr404(params, req, url).snapshot());
  });

  http.route("PATCH", "/eventgrid/topics/:topic/eventSubscriptions/:sub", async ({ req, res, params }) => {
    let body: { properties?: { destination?: { endpointType?: unknown; properties?: { endpointUrl?: unknown } } } };
    try {
      body = JSON.parse((await readBody(req, 64 * 1024)).toString("utf8")) as typeof body;
    } catch {
      throw new HttpError(400, { error: { code: "InvalidRequestContent", message: "The request body is not valid JSON." } });
    }
    const destination = body?.properties?.destination;
    if (destination?.endpointType !== "WebHook" || typeof destination.properties?.endpointUrl !== "string")
      throw new HttpError(400, {
        error: { code: "InvalidRequest", message: 'Only a WebHook endpoint can be changed: send {"properties":{"destination":{"endpointType":"WebHook","properties":{"endpointUrl":"..."}}}}.' },
      });
    try {
      sendJson(res, 200, ctx.updateWebhookEndpoint(params.topic, params.sub, destination.properties.endpointUrl));
    } catch (err) {
      if (err instanceof WebhookUpdateError) throw new HttpError(err.status, { error: { code: err.code, message: err.message } });
      throw err;
    }
  }, { mutating: true });

  http.route("GET", "/eventgrid/topics/:topic/eventSubscriptions/:sub/validate", ({ req, res, params, url }) => {
    const sub = subscriptionOr404(params, req, url);
    if (!sub.confirmManualValidation(url.searchParams.get("id") ?? ""))
      throw new HttpError(400, { error: { code: "BadRequest", message: "The validation code is not valid, or the subscription is not awaiting manual validation." } });
    sendJson(res, 200, { message: "Webhook successfully validated as a result of user's validate URL trigger." });
  });
}
