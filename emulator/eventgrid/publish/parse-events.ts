/**
 * Turns a publish request into accepted events, validating what Azure validates for the topic's input schema:
 * the body's JSON and shape, required properties, the `topic` property, the content type (CloudEvents), and the
 * 1 MB-per-event limit. The first problem found is thrown as Azure's error.
 */
import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { InputMappingField, TopicConfig } from "../config-types.js";
import { publishErrors, type SchemaName } from "../errors.js";
import type { AcceptedEvent, CloudEvent, EventGridEvent } from "../model/events.js";

/**
 * Azure's limits (bytes) per event and per request, as the service enforces them. The docs say 1 MB for both, but
 * the service's own 413 reads "The maximum size (1536000) has been exceeded." (Azure/azure-sdk-for-net#28657) and
 * measurements against Azure agree (pm7y/AzureEventGridSimulator#201); the service wins, and the emulator warns
 * about requests over the documented 1 MB (DOCUMENTED_MAX_REQUEST_BYTES), which Azure may enforce some day.
 */
export const MAX_EVENT_BYTES = 1_049_600;
export const MAX_REQUEST_BYTES = 1_536_000;
export const DOCUMENTED_MAX_REQUEST_BYTES = 1_048_576;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch (err) {
    throw publishErrors.malformedJson((err as Error).message);
  }
}

/** Per request: a body no larger than one event's limit cannot hold an event over it, so most requests skip the check. */
interface ParseContext {
  topic: TopicConfig;
  now: number;
  checkSizes: boolean;
}

function checkSize(ctx: ParseContext, event: unknown, id: string): void {
  if (ctx.checkSizes && Buffer.byteLength(JSON.stringify(event)) > MAX_EVENT_BYTES) throw publishErrors.eventTooLarge(id, MAX_EVENT_BYTES);
}

function asArray(value: unknown, schema: SchemaName): unknown[] {
  if (!Array.isArray(value)) throw publishErrors.notConforming(schema, "Token Expected: StartArray, Actual Token Received: StartObject.");
  if (value.length === 0) throw publishErrors.notConforming(schema);
  return value;
}

function requireString(e: Record<string, unknown>, prop: string, schema: SchemaName): string {
  const v = e[prop];
  if (v === undefined || v === null || v === "") throw publishErrors.requiresProperty(schema, prop);
  if (typeof v !== "string") throw publishErrors.invalidProperty(schema, prop, "must be a string");
  return v;
}

function checkTopic(given: unknown, topic: TopicConfig): void {
  if (given === undefined || given === null || given === "") return;
  if (typeof given !== "string" || given.toLowerCase() !== topic.armId.toLowerCase()) throw publishErrors.topicMismatch(String(given), topic.armId);
}

function checkTime(value: string, schema: SchemaName, prop: string): void {
  if (Number.isNaN(Date.parse(value))) throw publishErrors.invalidProperty(schema, prop, `'${value}' is not a valid date-time`);
}

function parseEventGrid(body: unknown, ctx: ParseContext): AcceptedEvent[] {
  const { topic, now } = ctx;
  const schema: SchemaName = "EventGridEvent";
  return asArray(body, schema).map((raw) => {
    if (!isObject(raw)) throw publishErrors.notConforming(schema, "Each event must be a JSON object.");
    // Azure checks in this order (observed): subject, id, eventType, eventTime.
    const subject = requireString(raw, "subject", schema);
    const id = requireString(raw, "id", schema);
    const eventType = requireString(raw, "eventType", schema);
    const eventTime = requireString(raw, "eventTime", schema);
    checkTime(eventTime, schema, "eventTime");
    checkTopic(raw.topic, topic);
    if (raw.dataVersion !== undefined && raw.dataVersion !== null && typeof raw.dataVersion !== "string")
      throw publishErrors.invalidProperty(schema, "dataVersion", "must be a string");
    checkSize(ctx, raw, id);
    const event: EventGridEvent = {
      id,
      topic: topic.armId,
      subject,
      eventType,
      eventTime,
      ...(raw.data !== undefined ? { data: raw.data } : {}),
      dataVersion: (raw.dataVersion as string | undefined) ?? "",
      metadataVersion: "1",
    };
    return { internalId: randomUUID(), publishTime: now, stored: { schema: "EventGrid", event } };
  });
}

const CE_CONTEXT = new Set(["id", "source", "type", "specversion", "datacontenttype", "dataschema", "subject", "time", "data", "data_base64"]);

function validateCloudEvent(ctx: ParseContext, raw: unknown): CloudEvent {
  const schema: SchemaName = "CloudEventV10";
  if (!isObject(raw)) throw publishErrors.notConforming(schema, "Each event must be a JSON object.");
  const id = requireString(raw, "id", schema);
  requireString(raw, "source", schema);
  requireString(raw, "type", schema);
  const specversion = requireString(raw, "specversion", schema);
  if (specversion !== "1.0") throw publishErrors.invalidProperty(schema, "specversion", `'${specversion}' is not supported; it must be '1.0'`);
  if (raw.time !== undefined && (typeof raw.time !== "string" || Number.isNaN(Date.parse(raw.time)))) throw publishErrors.invalidProperty(schema, "time", "is not a valid date-time");
  if (raw.data !== undefined && raw.data_base64 !== undefined) throw publishErrors.invalidProperty(schema, "data_base64", "cannot be set together with 'data'");
  for (const k of Object.keys(raw)) {
    if (!CE_CONTEXT.has(k) && !/^[a-z0-9]{1,20}$/.test(k))
      throw publishErrors.invalidProperty(schema, k, "is not a valid extension attribute name (lower-case letters and digits, at most 20 characters)");
  }
  checkSize(ctx, raw, id);
  return raw as CloudEvent;
}

/** Binary content mode: attributes in `ce-*` headers, the body is the data. */
function cloudEventFromHeaders(ctx: ParseContext, headers: IncomingHttpHeaders, body: Buffer): CloudEvent {
  const event: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith("ce-") && typeof value === "string") event[name.slice(3)] = decodeURIComponent(value);
  }
  const contentType = headers["content-type"];
  if (contentType) event.datacontenttype = contentType;
  if (body.length > 0) {
    if (/json/i.test(contentType ?? "")) event.data = parseJson(body);
    else if (/^text\//i.test(contentType ?? "")) event.data = body.toString("utf8");
    else event.data_base64 = body.toString("base64");
  }
  return validateCloudEvent(ctx, event);
}

function parseCloudEvents(ctx: ParseContext, headers: IncomingHttpHeaders, body: Buffer): AcceptedEvent[] {
  const validate = (raw: unknown) => validateCloudEvent(ctx, raw);
  const contentType = (headers["content-type"] ?? "").toLowerCase();
  let events: CloudEvent[];
  if (headers["ce-specversion"] !== undefined) events = [cloudEventFromHeaders(ctx, headers, body)];
  else if (contentType.startsWith("application/cloudevents-batch+json")) events = asArray(parseJson(body), "CloudEventV10").map(validate);
  else if (contentType.startsWith("application/cloudevents+json") || contentType.startsWith("application/json")) {
    const value = parseJson(body);
    if (Array.isArray(value))
      throw publishErrors.notConforming("CloudEventV10", "Token Expected: StartObject, Actual Token Received: StartArray.");
    events = [validate(value)];
  } else throw publishErrors.unsupportedContentType();
  return events.map((event) => ({ internalId: randomUUID(), publishTime: ctx.now, stored: { schema: "CloudEvent", event } }));
}

function pick(obj: Record<string, unknown>, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split(".")) {
    if (!isObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

function mapped(raw: Record<string, unknown>, field: InputMappingField | undefined, fallback: () => string | undefined): string | undefined {
  const v = field?.sourceField ? pick(raw, field.sourceField) : undefined;
  if (v !== undefined && v !== null && v !== "") return typeof v === "string" ? v : JSON.stringify(v);
  return field?.defaultValue ?? fallback();
}

/** Custom input schema: each object is mapped to an EventGrid event whose `data` is the whole original object. */
function parseCustom(body: unknown, ctx: ParseContext): AcceptedEvent[] {
  const { topic, now } = ctx;
  const schema: SchemaName = "CustomEvent";
  const m = topic.inputSchemaMapping ?? {};
  return asArray(body, schema).map((raw) => {
    if (!isObject(raw)) throw publishErrors.notConforming(schema, "Each event must be a JSON object.");
    const id = mapped(raw, m.id, () => randomUUID())!;
    const eventTime = mapped(raw, m.eventTime, () => new Date(now).toISOString())!;
    checkTime(eventTime, schema, m.eventTime?.sourceField ?? "eventTime");
    const eventType = mapped(raw, m.eventType, () => undefined);
    if (eventType === undefined) throw publishErrors.requiresProperty(schema, m.eventType?.sourceField ?? "eventType");
    const subject = mapped(raw, m.subject, () => undefined);
    if (subject === undefined) throw publishErrors.requiresProperty(schema, m.subject?.sourceField ?? "subject");
    checkTopic(m.topic?.sourceField ? pick(raw, m.topic.sourceField) : undefined, topic);
    checkSize(ctx, raw, id);
    const event: EventGridEvent = {
      id,
      topic: topic.armId,
      subject,
      eventType,
      eventTime,
      data: raw,
      dataVersion: mapped(raw, m.dataVersion, () => "") ?? "",
      metadataVersion: "1",
    };
    return { internalId: randomUUID(), publishTime: now, stored: { schema: "EventGrid", event, original: raw } };
  });
}

export function parsePublishedEvents(topic: TopicConfig, headers: IncomingHttpHeaders, body: Buffer, now: number): AcceptedEvent[] {
  const ctx: ParseContext = { topic, now, checkSizes: body.length > MAX_EVENT_BYTES };
  switch (topic.inputSchema) {
    case "EventGridSchema":
      return parseEventGrid(parseJson(body), ctx);
    case "CloudEventSchemaV1_0":
      return parseCloudEvents(ctx, headers, body);
    case "CustomEventSchema":
      return parseCustom(parseJson(body), ctx);
  }
}
