/**
 * Every refusal of the publish endpoint, shaped as Azure's `{"error":{"code","message","details":[…]}}` with the
 * "Report '<id>:<time> (UTC)' …" suffix Azure appends, so `RestError.code` / `.message` read the same as in Azure.
 */
import { randomUUID } from "node:crypto";
import { HttpError } from "../common/http-server.js";

export const SUPPORTED_API_VERSION = "2018-01-01";

function azureTime(ms: number): string {
  const d = new Date(ms);
  const h = d.getUTCHours() % 12 || 12;
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${h}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${d.getUTCHours() < 12 ? "AM" : "PM"}`;
}

function eventGridError(
  status: number,
  code: string,
  detailCode: string,
  message: string,
  now = Date.now(),
  report = true,
  headers: Record<string, string> = {},
): HttpError {
  const requestId = randomUUID();
  const text = report ? `${message} Report '${requestId}:${azureTime(now)} (UTC)' to our forums for assistance or raise a support ticket.` : message;
  return new HttpError(
    status,
    { error: { code, message: text, details: [{ code: detailCode, message: text }] } },
    { "x-ms-request-id": requestId, "api-supported-versions": SUPPORTED_API_VERSION, ...headers },
  );
}

export type SchemaName = "EventGridEvent" | "CloudEventV10" | "CustomEvent";

export const publishErrors = {
  missingAuth: () =>
    eventGridError(401, "Unauthorized", "Unauthorized", "Request must contain one of the following authorization signature: aeg-sas-token, aeg-sas-key."),
  emptyKey: () => eventGridError(400, "BadRequest", "InvalidSas", "Request must have a value for aeg-sas-key."),
  badKey: (host: string) =>
    eventGridError(
      401,
      "Unauthorized",
      "Unauthorized",
      `The request authorization key is not authorized for ${host.toUpperCase()}. This is due to the reason: The provided aeg-sas-key does not match the topic's access key.`,
    ),
  badSas: (host: string, reason: string) =>
    eventGridError(401, "Unauthorized", "InvalidSas", `The request authorization key is not authorized for ${host.toUpperCase()}. This is due to the reason: ${reason}`),
  /** `uri` as Azure quotes it: the whole request URI, scheme and host included. */
  notFound: (uri: string) => {
    const message = `No HTTP resource was found that matches the request URI '${uri}'.`;
    return eventGridError(404, "NotFound", "ResourceNotFound", message);
  },
  /** Another method than POST / OPTIONS on a publish path; `Allow` lists those two, as Azure does. */
  methodNotAllowed: (method: string) => {
    const message = `The requested resource does not support http method '${method}'.`;
    const allow = { allow: "OPTIONS, POST" };
    return eventGridError(405, "MethodNotAllowed", "MethodNotAllowed", message, Date.now(), true, allow);
  },
  requestTooLarge: (limit: number) => eventGridError(413, "RequestEntityTooLarge", "PayloadTooLarge", `The maximum size (${limit}) has been exceeded.`, Date.now(), false),
  eventTooLarge: (id: string, limit: number) =>
    eventGridError(413, "RequestEntityTooLarge", "PayloadTooLarge", `The event with id '${id}' exceeds the maximum size (${limit}) for a single event.`, Date.now(), false),
  malformedJson: (detail: string) => eventGridError(400, "BadRequest", "InputJsonInvalid", `The request body is not valid JSON: ${detail}.`),
  notConforming: (schema: SchemaName, detail = "") =>
    eventGridError(400, "BadRequest", "InputJsonInvalid", `This resource is configured to receive event in '${schema}' schema. The JSON received does not conform to the expected schema.${detail ? " " + detail : ""}`),
  requiresProperty: (schema: SchemaName, property: string) =>
    eventGridError(400, "BadRequest", "InputJsonInvalid", `This resource is configured for '${schema}' schema and requires '${property}' property to be set.`),
  invalidProperty: (schema: SchemaName, property: string, why: string) =>
    eventGridError(400, "BadRequest", "InputJsonInvalid", `This resource is configured for '${schema}' schema and its '${property}' property ${why}.`),
  topicMismatch: (given: string, expected: string) =>
    eventGridError(
      400,
      "BadRequest",
      "InputJsonInvalid",
      `The event's topic property '${given}' does not match the topic the event was published to ('${expected}'). Leave 'topic' empty or set it to the topic's resource id.`,
    ),
  unsupportedContentType: () =>
    eventGridError(
      415,
      "UnsupportedMediaType",
      "InvalidContentType",
      "The Content-Type header is either missing or it doesn't have a valid value. The content type header must either be application/cloudevents+json; charset=utf-8 or application/cloudevents-batch+json; charset=UTF-8.",
    ),
  unsupportedApiVersion: (given: string) =>
    eventGridError(400, "BadRequest", "InvalidApiVersion", `The api-version '${given}' is not supported. Supported versions: ${SUPPORTED_API_VERSION}.`),
};
