/**
 * AsyncAPI messages from the catalog: one per entry at its current version, and one per older version the system
 * still reads (through an upcaster), marked deprecated: nobody sends it any more, but a replay of the Kafka stream
 * or a consumer of old records can meet it.
 *
 * Every message travels as a CloudEvent in structured mode (the whole envelope is the Service Bus body, the Kafka
 * record value and the Event Grid event), so the payload is the envelope (`components/schemas/CloudEvent`: id,
 * source, type, subject, time, correlationid, causationid, traceparent) with `type` fixed to the message's
 * CloudEvents type and `data` the JSON Schema of the catalog's zod schema. The headers differ by transport, so a
 * message has one component per transport that carries it (same payload): on Service Bus the application properties
 * the outbox relay sets (eventType or commandType, purchaseId, concertId, Diagnostic-Id); on Kafka the record headers
 * (ce_id, ce_type, correlationid, ...) and the key, the stream id (a Kafka message binding); on Event Grid none (the
 * CloudEvent is the event).
 */
import { catalog, type MessageName } from "../events/catalog.js";
import { CLOUD_EVENT_SOURCE, CLOUD_EVENTS_CONTENT_TYPE, cloudEventSchema } from "../events/envelope.js";
import type { MessageDefinition, MessageKind } from "../events/definition.js";
import { type JsonSchema, jsonSchemaOf, propertyNames } from "./json-schema.js";

/** One message of the document: a catalog entry at one version. */
export interface DocumentedMessage {
  /** Component key, `<Name>.v<version>`. */
  key: string;
  name: MessageName;
  version: number;
  /** The CloudEvents type. */
  type: string;
  kind: MessageKind;
  context: string;
  /** True for the version producers send now; older versions are only read. */
  current: boolean;
  notify: boolean;
  dataSchema: JsonSchema;
}

export function documentedMessages(): DocumentedMessage[] {
  const out: DocumentedMessage[] = [];
  for (const [name, def] of Object.entries(catalog) as [MessageName, MessageDefinition][]) {
    const base = { name, kind: def.kind, context: def.context, notify: def.notify };
    out.push({ ...base, key: `${name}.v${def.version}`, version: def.version, type: def.type, current: true, dataSchema: dataSchema(def.schema) });
    for (const old of def.upcasters) {
      out.push({ ...base, key: `${name}.v${old.version}`, version: old.version, type: old.type, current: false, dataSchema: dataSchema(old.schema) });
    }
  }
  return out.sort((a, b) => a.key.localeCompare(b.key));
}

function dataSchema(schema: MessageDefinition["schema"]): JsonSchema {
  return jsonSchemaOf(schema, { target: "draft-7", io: "input" });
}

/** The Service Bus application property that carries the CloudEvents type, by kind (what the SQL filters read). */
export function typePropertyOf(kind: MessageKind): "eventType" | "commandType" {
  return kind === "command" ? "commandType" : "eventType";
}

const ENVELOPE_DESCRIPTIONS: Record<string, string> = {
  specversion: "CloudEvents version.",
  id: "Unique per message and deterministic for messages caused by another (`<stream id>:<version>` for events, `<causing message id>:<Name>` for commands), so a retried handler sends the same ids and duplicate detection and the consumers' inboxes drop the copy. Also the Service Bus MessageId.",
  source: `Always \`${CLOUD_EVENT_SOURCE}\`.`,
  type: "`MusicFest.<Context>.<Name>.v<version>`; also the Service Bus Subject and the eventType or commandType application property.",
  subject: "What the message is about, when set (e.g. the stream id).",
  time: "When the message was created (RFC 3339). Always set by this system.",
  datacontenttype: "Always `application/json`.",
  data: "The message's data; see each message.",
  correlationid: "Extension: the id of the request that started the flow, the same on every hop (HTTP x-correlation-id, Service Bus CorrelationId). Always set by this system; a reader that gets none uses `id`.",
  causationid: "Extension: the id of the message that caused this one; absent on the first message of a flow.",
  traceparent: "Extension (CloudEvents distributed tracing): the W3C trace context of the span that produced the message.",
};

/** The CloudEvents 1.0 envelope as the readers validate it (envelope.ts), with what every attribute carries here. */
export function cloudEventEnvelopeSchema(): JsonSchema {
  const schema = jsonSchemaOf(cloudEventSchema, { target: "draft-7", io: "input" });
  const properties = schema.properties as Record<string, JsonSchema>;
  for (const [name, description] of Object.entries(ENVELOPE_DESCRIPTIONS)) {
    if (properties[name]) properties[name] = { ...properties[name], description };
  }
  properties.traceparent = { ...properties.traceparent, pattern: "^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$" };
  // What envelope() always writes, on top of what a reader insists on.
  const required = new Set([...((schema.required as string[]) ?? []), "time", "datacontenttype", "correlationid"]);
  return { ...schema, title: "CloudEvent", description: "CloudEvents 1.0, structured mode (JSON).", required: [...required].sort() };
}

export type Transport = "servicebus" | "kafka" | "eventgrid";

/** The component key of a message as it travels on one transport (the headers differ, the payload does not). */
export function messageKey(transport: Transport, message: DocumentedMessage): string {
  return `${transport}.${message.key}`;
}

/** Which transports carry a message: Service Bus the current versions, Kafka every event, Event Grid `notify` events. */
export function transportsOf(message: DocumentedMessage): Transport[] {
  const out: Transport[] = [];
  if (message.current) out.push("servicebus");
  if (message.kind === "event") out.push("kafka");
  if (message.notify && message.current) out.push("eventgrid");
  return out;
}

function serviceBusProperties(message: DocumentedMessage): JsonSchema {
  const typeProperty = typePropertyOf(message.kind);
  const properties: Record<string, JsonSchema> = {
    [typeProperty]: { type: "string", const: message.type, description: "The CloudEvents type; the subscriptions' SQL filters select on it." },
    "Diagnostic-Id": { type: "string", description: "The traceparent of the producing span, when there is one (the name Azure SDK tracing reads)." },
  };
  for (const field of ["purchaseId", "concertId"]) {
    if (propertyNames(message.dataSchema).includes(field)) properties[field] = { type: "string", description: `Copy of data.${field}, for filters and for the Service Bus explorer.` };
  }
  return { type: "object", description: "Service Bus application properties set by the sender.", properties, required: [typeProperty] };
}

function kafkaHeaders(message: DocumentedMessage): JsonSchema {
  const text = (description: string, extra: JsonSchema = {}) => ({ type: "string", description, ...extra });
  return {
    type: "object",
    description: "Kafka record headers (UTF-8 values) set by the outbox relay, so a consumer can route and dedupe without parsing the value.",
    properties: {
      "content-type": text("The record value's media type.", { const: CLOUD_EVENTS_CONTENT_TYPE }),
      ce_id: text("The CloudEvent id: consumers dedupe on it (a retried publish can write a record twice)."),
      ce_type: text("The CloudEvents type.", { const: message.type }),
      correlationid: text("The CloudEvent's correlationid."),
      causationid: text("The CloudEvent's causationid, when it has one."),
      traceparent: text("The CloudEvent's traceparent, when it has one."),
    },
    required: ["content-type", "ce_id", "ce_type", "correlationid"],
  };
}

const KIND_SUMMARY: Record<MessageKind, string> = {
  event: "Event: a fact, published to every interested consumer.",
  command: "Command: a request to exactly one handler.",
  timeout: "Timeout: a message a process schedules to itself.",
};

export function messageObject(message: DocumentedMessage, transport: Transport, dataSchemaRef: string): JsonSchema {
  const headers = transport === "servicebus" ? serviceBusProperties(message) : transport === "kafka" ? kafkaHeaders(message) : undefined;
  const bindings =
    transport === "kafka"
      ? { kafka: { key: { type: "string", description: "The id of the stream the event was appended to (e.g. `purchase-<purchaseId>`), so a stream's events share a partition and stay in order." }, bindingVersion: "0.5.0" } }
      : undefined;
  return {
    name: message.name,
    title: `${message.name} v${message.version}`,
    summary: KIND_SUMMARY[message.kind],
    description:
      `CloudEvents type \`${message.type}\`, owned by the ${message.context} context.` +
      (message.notify ? " Also pushed to fans through the Event Grid topic." : "") +
      (message.current ? "" : " An older version: no longer sent, still read (upcast to the current version)."),
    contentType: CLOUD_EVENTS_CONTENT_TYPE,
    ...(message.current ? {} : { deprecated: true }),
    tags: [{ name: message.kind }, { name: message.context }],
    correlationId: { $ref: "#/components/correlationIds/correlationid" },
    ...(headers ? { headers } : {}),
    payload: {
      allOf: [
        { $ref: "#/components/schemas/CloudEvent" },
        { type: "object", required: ["type", "data"], properties: { type: { type: "string", const: message.type }, data: { $ref: dataSchemaRef } } },
      ],
    },
    ...(bindings ? { bindings } : {}),
  };
}

export function messageComponents(messages: readonly DocumentedMessage[]): { messages: JsonSchema; schemas: JsonSchema; correlationIds: JsonSchema } {
  const schemas: JsonSchema = { CloudEvent: cloudEventEnvelopeSchema() };
  const components: JsonSchema = {};
  for (const message of messages) {
    const schemaKey = `${message.key}.data`;
    schemas[schemaKey] = { title: `${message.name} v${message.version} data`, ...message.dataSchema };
    for (const transport of transportsOf(message)) components[messageKey(transport, message)] = messageObject(message, transport, `#/components/schemas/${schemaKey}`);
  }
  const correlationIds = { correlationid: { description: "The flow's correlation id: the same on every message a request caused.", location: "$message.payload#/correlationid" } };
  return { messages: components, schemas, correlationIds };
}
