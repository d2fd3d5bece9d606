/**
 * The OpenAPI 3.1 document of the app's HTTP API, served at `GET /api/openapi.json` (functions/openapi.ts).
 * Request bodies are the JSON Schemas of the zod schemas the endpoints validate with (src/http/, the simulated
 * provider's), response bodies those of src/docs/openapi-schemas.ts; errors are problem+json (RFC 9457).
 * test/unit/docs/openapi.test.ts validates the document, checks that its paths are exactly the routes the
 * functions register, and checks real responses of the endpoints against it.
 */
import type { z } from "zod";
import { MAX_BODY_BYTES } from "../http/api-deps.js";
import { concertRequestSchema } from "../http/concert-endpoints.js";
import { fanProfileRequestSchema, fanRegistrationSchema, MAX_FAN_BODY_BYTES } from "../fans/fan-endpoints.js";
import { purchaseRequestSchema } from "../http/purchase-endpoints.js";
import { ticketRequestSchema } from "../services/ticketing-provider/simulated-ticketing-provider.js";
import { purchaseTimelineSchema } from "../timeline/timeline-schema.js";
import { type JsonSchema, jsonSchemaOf } from "./json-schema.js";
import * as bodies from "./openapi-schemas.js";

export const OPENAPI_VERSION = "3.1.1";
const JSON_TYPE = "application/json";
const PROBLEM_TYPE = "application/problem+json";

const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: string, description: string, headers?: Record<string, unknown>) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { [JSON_TYPE]: { schema: schemaRef(schema) } },
});
const responseRef = (name: string) => ({ $ref: `#/components/responses/${name}` });
const headerRef = (name: string) => ({ $ref: `#/components/headers/${name}` });
const parameterRef = (name: string) => ({ $ref: `#/components/parameters/${name}` });

const correlated = { "x-correlation-id": headerRef("CorrelationId") };
const accepted = { Location: headerRef("Location"), "Retry-After": headerRef("RetryAfter"), ...correlated };
const traceParameters = [parameterRef("CorrelationId"), parameterRef("Traceparent")];
const functionKey = [{ functionKey: [] }, { functionKeyQuery: [] }];

/** The GET endpoints answer from read models: the version, read-your-writes and what a stale answer looks like. */
const readYourWrites =
  "The read model is updated asynchronously from the events (eventual consistency); the body's `version` (also the ETag) says which version it reflects. " +
  "With `minVersion` (or `x-min-version`) the request waits, up to 5 s, until the read model reaches it; if it does not, the answer is what the read model has, " +
  "with `x-read-model-stale: true` and Retry-After.";
const readParameters = [parameterRef("MinVersionQuery"), parameterRef("MinVersionHeader"), parameterRef("IfNoneMatch")];
const stale = { "x-read-model-stale": headerRef("ReadModelStale"), "Retry-After": headerRef("RetryAfter"), ...correlated };
const readHeaders = { ETag: headerRef("ETag"), ...stale };
function readResponses(schema: string, description: string, notFound: JsonSchema | undefined) {
  return {
    "200": json(schema, `${description} With \`x-read-model-stale: true\`: the read model had not reached minVersion in time.`, readHeaders),
    "304": { description: "Not modified: If-None-Match named the current ETag.", headers: { ETag: headerRef("ETag"), ...correlated } },
    "400": responseRef("ValidationProblem"),
    ...(notFound ? { "404": notFound } : {}),
    "503": responseRef("ServiceUnavailable"),
  };
}

function problem(description: string, headers?: Record<string, unknown>): JsonSchema {
  return { description, ...(headers ? { headers } : {}), content: { [PROBLEM_TYPE]: { schema: schemaRef("Problem") } } };
}

function requestBody(schema: string, description: string): JsonSchema {
  return { required: true, description, content: { [JSON_TYPE]: { schema: schemaRef(schema) } } };
}

const purchasesPaths = {
  "/api/purchases": {
    post: {
      operationId: "placePurchase",
      tags: ["purchases"],
      summary: "Request a purchase",
      description:
        "Validates the request, checks right now that the concert exists and has the tickets left, then sends the command PlacePurchase and " +
        "answers 202 with the Location to poll (asynchronous request-reply): the purchase is then reserved, paid and issued by the back end, " +
        "and `GET /api/purchases/{id}` shows `pending` until it is `completed` or `cancelled`. With an Idempotency-Key, a retry answers the same purchase.",
      parameters: [parameterRef("IdempotencyKey"), ...traceParameters],
      requestBody: requestBody("PurchaseRequest", "The concert, the fan (a guest's `fan`, or a registered fan's `fanId`), the tier and how many tickets."),
      responses: {
        "202": json("PurchaseAccepted", "Accepted: the purchase is being placed (a retry: still pending); poll the Location.", accepted),
        "303": json(
          "PurchaseAccepted",
          "See Other: a retry (same Idempotency-Key) of a purchase that has its outcome; GET the Location (with minVersion).",
          { Location: headerRef("Location"), ...correlated },
        ),
        "400": responseRef("ValidationProblem"),
        "404": problem("No such concert (code ConcertNotFound), or a `fanId` the ticketing side does not know (code FanNotFound; a fan registered a moment ago may need a moment).", correlated),
        "409": problem(
          "Fewer tickets left in the tier than asked (code SoldOut), or the concert has started (code ConcertAlreadyStarted).",
          correlated,
        ),
        "413": responseRef("ContentTooLarge"),
        "415": responseRef("UnsupportedMediaType"),
        "422": problem("The Idempotency-Key was used before for a purchase with other details (code IdempotencyKeyReused).", correlated),
        "503": responseRef("ServiceUnavailable"),
      },
    },
  },
  "/api/purchases/{id}": {
    get: {
      operationId: "getPurchase",
      tags: ["purchases"],
      summary: "A purchase's status",
      description:
        "Pending, completed (with the tickets) or cancelled (with the reason), from the purchase status read model. " +
        "After a 202, ask with `minVersion` (the 202's `version`) to wait for your own write; `minVersion=2` waits for the outcome. " + readYourWrites,
      parameters: [{ name: "id", in: "path", required: true, description: "The purchase id from the 202 answer.", schema: { type: "string" } }, ...readParameters, ...traceParameters],
      responses: readResponses("PurchaseStatus", "The purchase.", problem("No such purchase in the read model (code PurchaseNotFound); with minVersion, marked stale: it may not have arrived yet.", stale)),
    },
  },
  "/api/purchases/{id}/timeline": {
    get: {
      operationId: "getPurchaseTimeline",
      tags: ["purchases"],
      summary: "Where a purchase's messages went",
      description:
        "Every event of the purchase's streams and every hop of every message about it (requested, recorded, published to Service Bus, Kafka or " +
        "Event Grid, delivered, handled, duplicate, failed): by whom, when, with the correlation id and the W3C trace id. Hops are written a few " +
        "milliseconds after they happen, so the newest may show on the next read.",
      parameters: [{ name: "id", in: "path", required: true, description: "The purchase id.", schema: { type: "string" } }, ...traceParameters],
      responses: {
        "200": json("PurchaseTimeline", "The purchase's events and hops, in order.", correlated),
        "400": responseRef("ValidationProblem"),
        "404": problem("Nothing is known of this purchase (code PurchaseNotFound).", correlated),
        "503": responseRef("ServiceUnavailable"),
      },
    },
  },
};

const concertsPaths = {
  "/api/concerts": {
    post: {
      operationId: "scheduleConcert",
      tags: ["concerts"],
      summary: "Schedule a concert",
      description: "Sends the command ScheduleConcert and answers 202 with the Location. The same concert with the same details again is accepted without sending anything twice.",
      parameters: traceParameters,
      requestBody: requestBody("ConcertRequest", "The concert; its id is optional (a new one is made)."),
      responses: {
        "202": json("ConcertAccepted", "Accepted: the concert is being scheduled; poll the Location.", accepted),
        "400": responseRef("ValidationProblem"),
        "409": problem("The concert is already scheduled with other details (code ConcertAlreadyScheduled).", correlated),
        "413": responseRef("ContentTooLarge"),
        "415": responseRef("UnsupportedMediaType"),
        "422": problem("`startsAt` is not in the future (code ConcertInThePast; `errors` names the field).", correlated),
        "503": responseRef("ServiceUnavailable"),
      },
    },
  },
  "/api/concerts/{id}": {
    get: {
      operationId: "getConcert",
      tags: ["concerts"],
      summary: "A concert and its tickets left",
      description: "From the concert availability read model. " + readYourWrites,
      parameters: [{ name: "id", in: "path", required: true, description: "The concert id.", schema: { type: "string" } }, ...readParameters, ...traceParameters],
      responses: readResponses("ConcertAvailability", "The concert with the tickets left per tier.", problem("No such concert in the read model (code ConcertNotFound).", stale)),
    },
  },
  "/api/concerts/{id}/sales": {
    get: {
      operationId: "getConcertSales",
      tags: ["concerts"],
      summary: "A concert's sales",
      description: "Tickets sold and revenue per tier, from completed purchases (the concert sales read model). " + readYourWrites,
      parameters: [{ name: "id", in: "path", required: true, description: "The concert id.", schema: { type: "string" } }, ...readParameters, ...traceParameters],
      responses: readResponses("ConcertSales", "The concert's sales (zeros before the first completed purchase).", problem("No such concert in the read model (code ConcertNotFound).", stale)),
    },
  },
};

const fanIdParameter = { name: "id", in: "path", required: true, description: "The fan id.", schema: { type: "string" } };
const fanBodyTooLarge = problem(`The body is over ${MAX_FAN_BODY_BYTES / 1024} KB.`, correlated);

const fansPaths = {
  "/api/fans": {
    post: {
      operationId: "registerFan",
      tags: ["fans"],
      summary: "Register a fan",
      description:
        "Sends the command RegisterFan to the fans service and answers 202 with the Location. The service publishes FanRegistered (only the id: the " +
        "e-mail service calls `GET /api/fans/{id}` back for the welcome mail) and FanProfileUpdated (the whole profile: the ticketing side keeps a copy, " +
        "so `POST /api/purchases` with `fanId` never calls this API). The same fan with the same profile again is accepted without sending anything twice.",
      parameters: traceParameters,
      requestBody: requestBody("FanRegistration", "The profile; the fan id is optional (a new one is made)."),
      responses: {
        "202": json("FanAccepted", "Accepted: the fan is being registered; poll the Location.", accepted),
        "400": responseRef("ValidationProblem"),
        "409": problem("The fan id is registered with another profile (code FanAlreadyRegistered).", correlated),
        "413": fanBodyTooLarge,
        "415": responseRef("UnsupportedMediaType"),
        "503": responseRef("ServiceUnavailable"),
      },
    },
  },
  "/api/fans/{id}": {
    get: {
      operationId: "getFan",
      tags: ["fans"],
      summary: "A fan's profile",
      description: "The fans service's own view, from the fan's stream. Unknown (404) for a moment after the 202 of the registration.",
      parameters: [fanIdParameter, ...traceParameters],
      responses: {
        "200": json("Fan", "The fan's profile.", correlated),
        "400": responseRef("ValidationProblem"),
        "404": problem("No such fan (code FanNotFound).", correlated),
        "503": responseRef("ServiceUnavailable"),
      },
    },
    put: {
      operationId: "updateFanProfile",
      tags: ["fans"],
      summary: "Replace a fan's profile",
      description: "Sends UpdateFanProfile and answers 202 with the Location; the service publishes FanProfileUpdated with the whole new profile. The same profile again sends nothing.",
      parameters: [fanIdParameter, ...traceParameters],
      requestBody: requestBody("FanProfile", "The whole profile (fields left out are removed)."),
      responses: {
        "202": json("FanAccepted", "Accepted: the profile is being updated; poll the Location.", accepted),
        "400": responseRef("ValidationProblem"),
        "404": problem("No such fan (code FanNotFound).", correlated),
        "413": fanBodyTooLarge,
        "415": responseRef("UnsupportedMediaType"),
        "503": responseRef("ServiceUnavailable"),
      },
    },
  },
  "/api/fans/{fanId}/purchases": {
    get: {
      operationId: "getFanPurchases",
      tags: ["fans", "purchases"],
      summary: "A fan's purchases",
      description: "Every purchase of the fan, newest first, from the fan's purchases read model (an unknown fan has none). " + readYourWrites,
      parameters: [{ name: "fanId", in: "path", required: true, description: "The fan id (a registered fan's, or a guest's `fan.id`).", schema: { type: "string" } }, ...readParameters, ...traceParameters],
      responses: readResponses("FanPurchases", "The fan's purchases.", undefined),
    },
  },
};

const entityParameter = {
  name: "entity",
  in: "query",
  required: true,
  description: "Whose dead-letter queue: a queue, or `topic/subscriptions/subscription` (or `topic/subscription`), e.g. `commands/subscriptions/payments`.",
  schema: { type: "string" },
  example: "commands/subscriptions/payments",
};
const sequenceNumberParameter = { name: "sequenceNumber", in: "path", required: true, description: "The dead letter's sequence number.", schema: { type: "integer", minimum: 0 } };
const deadLetterErrors = {
  "400": problem("An invalid entity, sequence number or paging parameter (each named in `errors`)."),
  "401": {
    description:
      "No valid function key in x-functions-key or ?code= (Azure: the app's keys; npm start prints a local one). " +
      "Azure answers with an empty body; the local host adds a problem+json body saying which key to send.",
  },
  "404": problem("No such entity or dead letter."),
};

const opsPaths = {
  "/api/ops/dead-letters": {
    get: {
      operationId: "listDeadLetters",
      tags: ["operations"],
      summary: "List (peek) dead letters",
      security: functionKey,
      parameters: [
        entityParameter,
        { name: "max", in: "query", description: "At most this many.", schema: { type: "integer", minimum: 1, maximum: 1000, default: 100 } },
        { name: "from", in: "query", description: "From this sequence number on.", schema: { type: "integer", minimum: 0, default: 0 } },
      ],
      responses: { "200": json("DeadLetterList", "The dead letters, oldest first; nothing is removed."), ...deadLetterErrors },
    },
  },
  "/api/ops/dead-letters/{sequenceNumber}": {
    get: {
      operationId: "getDeadLetter",
      tags: ["operations"],
      summary: "Inspect one dead letter",
      security: functionKey,
      parameters: [sequenceNumberParameter, entityParameter],
      responses: { "200": json("DeadLetter", "The dead letter: why, how often delivered, its properties and body."), ...deadLetterErrors },
    },
  },
  "/api/ops/dead-letters/{sequenceNumber}/resubmit": {
    post: {
      operationId: "resubmitDeadLetter",
      tags: ["operations"],
      summary: "Send one dead letter back and remove it from the dead-letter queue",
      security: functionKey,
      parameters: [sequenceNumberParameter, entityParameter],
      responses: { "200": json("ResubmitResult", "Resubmitted."), ...deadLetterErrors, "409": problem("The entity refused the copy (e.g. disabled or too large).") },
    },
  },
  "/api/ops/dead-letters/resubmit": {
    post: {
      operationId: "resubmitAllDeadLetters",
      tags: ["operations"],
      summary: "Send every dead letter of an entity back",
      security: functionKey,
      parameters: [entityParameter],
      responses: { "200": json("ResubmitResult", "Resubmitted."), ...deadLetterErrors, "409": problem("The entity refused a copy.") },
    },
  },
};

const health = {
  operationId: "health",
  tags: ["operations"],
  summary: "Liveness",
  responses: { "200": json("Health", "The app is running.") },
};

const infrastructurePaths = {
  "/api/health": { get: health, post: { ...health, operationId: "healthPost" } },
  "/api/openapi.json": {
    get: {
      operationId: "openApiDocument",
      tags: ["operations"],
      summary: "This document",
      responses: { "200": { description: "The OpenAPI 3.1 document of this API.", content: { [JSON_TYPE]: { schema: { type: "object" } } } } },
    },
  },
  "/api/simulated/ticketing-provider/tickets": {
    post: {
      operationId: "simulatedIssueTickets",
      tags: ["simulated"],
      summary: "The simulated third-party ticketing provider: issue tickets",
      description:
        "Stands in for an external provider the app calls over HTTP (`TicketingProvider__baseUrl`); its latency, failure rate and unavailable concerts " +
        "come from the TicketingProvider__* settings.",
      requestBody: requestBody("TicketRequest", "The purchase to issue tickets for."),
      responses: {
        "201": json("IssuedTickets", "Issued; the same purchase always gets the same tickets."),
        "400": { description: "The request is invalid.", content: { [PROBLEM_TYPE]: { schema: schemaRef("ProviderProblem") } } },
        "409": { description: "The concert has no tickets at the provider.", content: { [PROBLEM_TYPE]: { schema: schemaRef("ProviderProblem") } } },
        "413": { description: "The request is over 16 KB.", content: { [PROBLEM_TYPE]: { schema: schemaRef("Problem") } } },
        "503": { description: "The provider is overloaded (simulated failure); retry.", content: { [PROBLEM_TYPE]: { schema: schemaRef("ProviderProblem") } } },
      },
    },
  },
  "/api/simulated/fan-webhook": {
    options: {
      operationId: "simulatedFanWebhookValidation",
      tags: ["simulated"],
      summary: "The simulated fan-facing webhook: CloudEvents webhook validation",
      description: "Event Grid's abuse-protection handshake before it pushes CloudEvents: the origin in WebHook-Request-Origin is granted in WebHook-Allowed-Origin.",
      parameters: [{ name: "WebHook-Request-Origin", in: "header", required: true, schema: { type: "string", example: "eventgrid.azure.net" } }],
      responses: {
        "200": { description: "Delivery granted.", headers: { "WebHook-Allowed-Origin": { schema: { type: "string" } }, "WebHook-Allowed-Rate": { schema: { type: "string" } } } },
        "400": { description: "No WebHook-Request-Origin." },
        "403": { description: "The origin is not Event Grid's." },
      },
    },
    post: {
      operationId: "simulatedFanWebhookPush",
      tags: ["simulated"],
      summary: "The simulated fan-facing webhook: a push from Event Grid",
      description: "Event Grid's `fan-webhook` subscription pushes VIP purchase outcomes (PurchaseCompleted, PurchaseCancelled) here as CloudEvents 1.0; each is recorded once by event id.",
      requestBody: {
        required: true,
        content: {
          "application/cloudevents+json": { schema: { type: "object", required: ["specversion", "id", "source", "type"] } },
          "application/cloudevents-batch+json": { schema: { type: "array", items: { type: "object", required: ["specversion", "id", "source", "type"] } } },
        },
      },
      responses: {
        "200": { description: "Recorded." },
        "400": { description: "Not CloudEvents (Event Grid does not retry).", content: { [JSON_TYPE]: { schema: { type: "object", properties: { error: { type: "string" } } } } } },
        "413": { description: "Over 1 MB.", content: { [JSON_TYPE]: { schema: { type: "object", properties: { error: { type: "string" } } } } } },
      },
    },
    get: {
      operationId: "simulatedFanWebhookPushes",
      tags: ["simulated"],
      summary: "The simulated fan-facing webhook: what a fan received",
      parameters: [{ name: "fanId", in: "query", required: true, schema: { type: "string" } }],
      responses: {
        "200": {
          description: "The pushes recorded for the fan.",
          content: { [JSON_TYPE]: { schema: { type: "object", properties: { fanId: { type: "string" }, pushes: { type: "array", items: { type: "object" } } } } } },
        },
        "400": { description: "No fanId.", content: { [JSON_TYPE]: { schema: { type: "object", properties: { error: { type: "string" } } } } } },
      },
    },
  },
};

function schemas(): Record<string, JsonSchema> {
  const request = (schema: z.ZodType) => jsonSchemaOf(schema, { target: "draft-2020-12", io: "input" });
  const response = (schema: z.ZodType) => jsonSchemaOf(schema, { target: "draft-2020-12", io: "output" });
  return {
    PurchaseRequest: request(purchaseRequestSchema),
    ConcertRequest: request(concertRequestSchema),
    TicketRequest: request(ticketRequestSchema),
    FanRegistration: request(fanRegistrationSchema),
    FanProfile: request(fanProfileRequestSchema),
    FanAccepted: response(bodies.fanAcceptedSchema),
    Fan: response(bodies.fanViewSchema),
    Problem: response(bodies.problemSchema),
    PurchaseAccepted: response(bodies.purchaseAcceptedSchema),
    PurchaseStatus: response(bodies.purchaseStatusSchema),
    PurchaseTimeline: response(purchaseTimelineSchema),
    ConcertAccepted: response(bodies.concertAcceptedSchema),
    ConcertAvailability: response(bodies.concertAvailabilitySchema),
    ConcertSales: response(bodies.concertSalesSchema),
    FanPurchases: response(bodies.fanPurchasesSchema),
    Health: response(bodies.healthSchema),
    DeadLetter: response(bodies.deadLetterSchema),
    DeadLetterList: response(bodies.deadLetterListSchema),
    ResubmitResult: response(bodies.resubmitResultSchema),
    IssuedTickets: response(bodies.issuedTicketsSchema),
    ProviderProblem: response(bodies.providerProblemSchema),
  };
}

const components = () => ({
  schemas: schemas(),
  responses: {
    ValidationProblem: problem("The request is not valid: `errors` names every invalid field (unknown fields included), header or parameter.", correlated),
    ContentTooLarge: problem(`The body is over ${MAX_BODY_BYTES / 1024} KB.`, correlated),
    UnsupportedMediaType: problem("The body is not `application/json`.", correlated),
    ServiceUnavailable: problem("A dependency (the command bus, the event store) could not be reached; nothing was changed. Retry after the Retry-After seconds.", {
      "Retry-After": headerRef("RetryAfter"),
      ...correlated,
    }),
  },
  parameters: {
    CorrelationId: { name: "x-correlation-id", in: "header", description: "Your id for this request (letters, digits, `.`, `:`, `_`, `-`; up to 128); made up when absent. It follows every message the request causes.", schema: { type: "string", pattern: "^[\\w.:-]{1,128}$" } },
    Traceparent: { name: "traceparent", in: "header", description: "W3C trace context: the messages the request causes join your trace (and, without x-correlation-id, its trace id is the correlation id).", schema: { type: "string" } },
    MinVersionQuery: { name: "minVersion", in: "query", description: "Read your own write: wait (up to 5 s) until the read model reflects at least this version (from a 202 answer or an earlier read).", schema: { type: "integer", minimum: 0 } },
    MinVersionHeader: { name: "x-min-version", in: "header", description: "The same as the minVersion query parameter (the query parameter wins when both are given).", schema: { type: "integer", minimum: 0 } },
    IfNoneMatch: { name: "If-None-Match", in: "header", description: "An ETag from an earlier answer: 304 while the read model is still at that version.", schema: { type: "string" } },
    IdempotencyKey: { name: "Idempotency-Key", in: "header", description: "Makes a retried POST safe: the same key (per fan) gives the same purchase; with other details, 422.", schema: { type: "string", minLength: 1, maxLength: 255 } },
  },
  headers: {
    CorrelationId: { description: "The request's correlation id (yours, or the one made for it).", schema: { type: "string" } },
    Location: { description: "Where to poll the resource.", schema: { type: "string" } },
    ETag: { description: "The read model's version, quoted (`\"2\"`).", schema: { type: "string" } },
    ReadModelStale: { description: "`true` when the read model had not reached the requested minVersion in time: the answer is older than asked.", schema: { type: "string", enum: ["true"] } },
    RetryAfter: { description: "Seconds to wait before polling or retrying.", schema: { type: "integer", minimum: 0 } },
  },
  securitySchemes: {
    functionKey: { type: "apiKey", in: "header", name: "x-functions-key", description: "A function key or host key of the Functions app." },
    functionKeyQuery: { type: "apiKey", in: "query", name: "code", description: "The same key as a query parameter." },
  },
});

export function buildOpenApiDocument(version: string): JsonSchema {
  return {
    openapi: OPENAPI_VERSION,
    info: {
      title: "Music Fest ticketing API",
      version,
      description:
        "Buy concert tickets. Writes are asynchronous: a POST validates, sends a command and answers 202 Accepted with the Location to poll " +
        "Errors are `application/problem+json` (RFC 9457). " +
        "Every response carries `x-correlation-id`, which also marks every message and log line the request caused. " +
        "The messages themselves are described by the AsyncAPI document (docs/asyncapi.json).",
    },
    servers: [
      { url: "http://localhost:7071", description: "`npm start` (the local Functions host)." },
      { url: "https://{app}.azurewebsites.net", description: "The Function app in Azure.", variables: { app: { default: "musicfest-functions", description: "The Function app's name." } } },
    ],
    tags: [
      { name: "purchases", description: "Buy tickets and follow the purchase." },
      { name: "concerts", description: "Schedule concerts and see the tickets left." },
      { name: "fans", description: "The fans service: register fans and keep their profiles." },
      { name: "operations", description: "Health, this document, and the dead-letter queues (function key)." },
      { name: "simulated", description: "Stand-ins for third parties, served by the app itself." },
    ],
    paths: { ...purchasesPaths, ...concertsPaths, ...fansPaths, ...opsPaths, ...infrastructurePaths },
    components: components(),
  };
}
