/**
 * The CloudEvents 1.0 envelope every event and command of the system travels in (structured mode: the whole
 * envelope is the message body on Service Bus, the event on Event Grid and the record value on Kafka).
 * Extension attributes (lower-case letters only, as CloudEvents requires) carry the trace of a purchase:
 *   correlationid  the id of the request that started it, the same on every hop;
 *   causationid    the id of the message that caused this one (absent on the first);
 *   traceparent    the W3C trace context of the span that produced it (distributed tracing extension).
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { currentTime } from "../clock.js";

export const CLOUD_EVENT_SOURCE = "/musicfest/ticketing";
export const CLOUD_EVENTS_CONTENT_TYPE = "application/cloudevents+json; charset=utf-8";

export interface CloudEvent<T = unknown> {
  specversion: "1.0";
  id: string;
  source: string;
  type: string;
  subject?: string;
  time: string;
  datacontenttype: "application/json";
  data: T;
  correlationid: string;
  causationid?: string;
  traceparent?: string;
}

export const cloudEventSchema = z.looseObject({
  specversion: z.literal("1.0"),
  id: z.string().min(1),
  source: z.string().min(1),
  type: z.string().min(1),
  subject: z.string().optional(),
  time: z.string().optional(),
  datacontenttype: z.string().optional(),
  data: z.unknown(),
  correlationid: z.string().optional(),
  causationid: z.string().optional(),
  traceparent: z.string().optional(),
});

/** Where a message comes from: the request or message that caused it. */
export interface MessageContext {
  correlationId: string;
  /** The id of the message being handled, when there is one. */
  causationId?: string;
  traceparent?: string;
}

export interface EnvelopeOptions extends MessageContext {
  subject?: string;
  /** A deterministic id makes a re-sent message a duplicate that duplicate detection and inboxes recognise. */
  id?: string;
  time?: Date;
}

export function envelope<T>(type: string, data: T, options: EnvelopeOptions): CloudEvent<T> {
  return {
    specversion: "1.0",
    id: options.id ?? randomUUID(),
    source: CLOUD_EVENT_SOURCE,
    type,
    ...(options.subject === undefined ? {} : { subject: options.subject }),
    time: (options.time ?? currentTime()).toISOString(),
    datacontenttype: "application/json",
    data,
    correlationid: options.correlationId,
    ...(options.causationId === undefined ? {} : { causationid: options.causationId }),
    ...(options.traceparent === undefined ? {} : { traceparent: options.traceparent }),
  };
}

/** The context for messages caused by `cause`: same correlation and trace, causation = the cause's id. */
export function causedBy(cause: Pick<CloudEvent, "id" | "correlationid" | "traceparent">): MessageContext {
  return { correlationId: cause.correlationid, causationId: cause.id, ...(cause.traceparent ? { traceparent: cause.traceparent } : {}) };
}
