/**
 * The CloudEvents 1.0 envelope every event of the system travels in (structured mode: the whole envelope is the
 * message body on Service Bus and the event on Event Grid). `correlationid` is an extension attribute that follows a
 * purchase through every hop, so the log lines of all the functions it passes through can be joined.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";

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
  /** Extension attribute (lower-case letters only, as CloudEvents requires). */
  correlationid: string;
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
});

export interface EnvelopeOptions {
  correlationId: string;
  subject?: string;
  /** A deterministic id makes a re-sent event a duplicate that consumers (and duplicate detection) can recognise. */
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
    time: (options.time ?? new Date()).toISOString(),
    datacontenttype: "application/json",
    data,
    correlationid: options.correlationId,
  };
}
