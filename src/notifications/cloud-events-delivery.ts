/**
 * What Event Grid POSTs to a webhook subscribed with the CloudEvents 1.0 delivery schema: one event in structured
 * mode (`application/cloudevents+json`), or, with batching on, an array (`application/cloudevents-batch+json`).
 * Anything else is refused with a reason (a 400 Event Grid does not retry).
 */
import { z } from "zod";
import { cloudEventSchema } from "../events/envelope.js";

export type DeliveredCloudEvent = z.output<typeof cloudEventSchema>;

export class DeliveryFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DeliveryFormatError";
  }
}

export function cloudEventsOf(contentType: string | null, body: string): DeliveredCloudEvent[] {
  const type = (contentType ?? "").split(";")[0].trim().toLowerCase();
  if (!["application/cloudevents+json", "application/cloudevents-batch+json", "application/json"].includes(type)) {
    throw new DeliveryFormatError(`content type ${contentType ?? "(none)"} is not a CloudEvents delivery`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new DeliveryFormatError("the body is not JSON");
  }
  if (type === "application/cloudevents-batch+json" && !Array.isArray(parsed)) throw new DeliveryFormatError("a CloudEvents batch must be an array");
  if (type === "application/cloudevents+json" && Array.isArray(parsed)) throw new DeliveryFormatError("a structured CloudEvent must be one object");
  const result = z.array(cloudEventSchema).min(1).safeParse(Array.isArray(parsed) ? parsed : [parsed]);
  if (!result.success) throw new DeliveryFormatError(`not CloudEvents 1.0: ${z.prettifyError(result.error)}`);
  return result.data;
}
