/**
 * Push delivery over HTTP: WebHook endpoints (with the handshake) and Azure Functions, which Event Grid reaches at the
 * Functions host's Event Grid trigger endpoint `/runtime/webhooks/eventgrid?functionName=NAME` (no handshake: Azure
 * checks the function through ARM instead).
 */
import type { Clock } from "../../common/clock.js";
import type { BatchSettings, DeliveryAttributeMapping, DeliverySchema } from "../config-types.js";
import type { DeliveryResult, Destination, OutgoingEvent, ValidationRequest, ValidationResult } from "./destination.js";
import { aegProperties, customProperties } from "./delivery-properties.js";
import { cloudEventsAbuseProtectionHandshake, subscriptionValidationHandshake } from "./handshake.js";
import { httpRequest } from "./http-request.js";
import { RequestDeadlines } from "./request-deadlines.js";
import { DELIVERY_TIMEOUT_MS, type EndpointKind, isRetriableStatus, isSuccessStatus, outcomeForNetworkError, outcomeForStatus } from "./retry-policy.js";

export interface HttpDestinationOptions {
  kind: EndpointKind;
  url: string;
  label: string;
  handshake: boolean;
  subscriptionName: string;
  topicId: string;
  schema: DeliverySchema;
  batch: BatchSettings;
  mappings: DeliveryAttributeMapping[];
  clock: Clock;
}

export function functionEndpointUrl(appBaseUrl: string, functionName: string): string {
  const url = new URL("/runtime/webhooks/eventgrid", appBaseUrl);
  url.searchParams.set("functionName", functionName);
  return url.toString();
}

export class HttpDestination implements Destination {
  readonly kind: EndpointKind;
  readonly description: string;
  readonly batch: BatchSettings;
  readonly validate?: (request: ValidationRequest) => Promise<ValidationResult>;
  private readonly target: URL;
  private readonly deadlines: RequestDeadlines;

  constructor(private readonly o: HttpDestinationOptions) {
    this.kind = o.kind;
    this.batch = o.batch;
    this.description = `${o.label} ${o.url}`;
    this.target = new URL(o.url);
    this.deadlines = new RequestDeadlines(o.clock, DELIVERY_TIMEOUT_MS);
    if (o.handshake) {
      this.validate = (request) =>
        o.schema === "CloudEventSchemaV1_0"
          ? cloudEventsAbuseProtectionHandshake(o.url, this.deadlines)
          : subscriptionValidationHandshake(o.url, { subscriptionName: o.subscriptionName, topicId: o.topicId, clock: o.clock, deadlines: this.deadlines, request });
    }
  }

  private payload(events: OutgoingEvent[]): { body: string; contentType: string } {
    if (this.o.schema !== "CloudEventSchemaV1_0") return { body: `[${events.map((e) => e.json).join(",")}]`, contentType: "application/json; charset=utf-8" };
    if (this.batch.enabled) return { body: `[${events.map((e) => e.json).join(",")}]`, contentType: "application/cloudevents-batch+json; charset=utf-8" };
    return { body: events[0].json, contentType: "application/cloudevents+json; charset=utf-8" };
  }

  async deliver(events: OutgoingEvent[], deliveryCount: number): Promise<DeliveryResult> {
    const { body, contentType } = this.payload(events);
    const headers: Record<string, string> = {
      "content-type": contentType,
      ...aegProperties(this.o.subscriptionName, this.o.schema, events[0], deliveryCount),
    };
    for (const [k, v] of Object.entries(customProperties(this.o.mappings, events[0]))) headers[k] = String(v);
    if (this.o.schema === "CloudEventSchemaV1_0") headers.origin = "eventgrid.azure.net";
    try {
      const answer = await httpRequest(this.target, { method: "POST", headers, body, deadlines: this.deadlines });
      if (isSuccessStatus(answer.status)) return { ok: true, status: answer.status };
      return {
        ok: false,
        status: answer.status,
        outcome: outcomeForStatus(answer.status),
        retriable: isRetriableStatus(answer.status, this.kind),
        error: `HTTP ${answer.status}${answer.body.length ? ": " + answer.body.toString("utf8").slice(0, 200) : ""}`,
      };
    } catch (err) {
      return { ok: false, outcome: outcomeForNetworkError(err), retriable: true, error: (err as Error)?.message ?? String(err) };
    }
  }
}
