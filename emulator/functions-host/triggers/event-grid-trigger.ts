/**
 * The Event Grid trigger webhook, `/runtime/webhooks/eventgrid?functionName=NAME`, with the contract of the
 * WebJobs Event Grid extension: the `aeg-event-type` header decides (SubscriptionValidation -> echo the code,
 * Notification -> one invocation per event, in parallel, Unsubscribe -> 202, anything else -> 400); 202 when every
 * invocation succeeded, 500 when any failed (Event Grid then retries the batch); OPTIONS answers the CloudEvents
 * abuse-protection handshake; an unknown function is 404.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Clock } from "../../common/clock.js";
import { readBody } from "../../common/http-server.js";
import type { HostedFunction } from "../function-registry.js";
import type { Invoker } from "../invoker.js";
import type { FunctionKeys } from "./http-keys.js";
import { presentedKey } from "./http-keys.js";
import { jsonData, sysMetadata } from "./trigger-metadata.js";

const EVENT_GRID_ORIGINS = ["eventgrid.azure.net", "eventgrid.azure.us", "eventgrid.azure.eaglex.ic.gov", "eventgrid.azure.microsoft.scloud", "eventgrid.azure.cn"];

function send(res: ServerResponse, status: number, body = "", headers: Record<string, string> = {}): void {
  const type = body.startsWith("{") ? "application/json; charset=utf-8" : "text/plain; charset=utf-8";
  res.writeHead(status, { ...(body ? { "content-type": type } : {}), "content-length": String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** A CloudEvents `correlationid` extension attribute (or the trace id of a `traceparent` one), when the event has it. */
function eventCorrelationId(event: Record<string, unknown>): string | undefined {
  const id = event.correlationid ?? event.correlationId;
  if (typeof id === "string" && id !== "") return id;
  const traceId = typeof event.traceparent === "string" ? event.traceparent.split("-")[1] : undefined;
  return traceId || undefined;
}

export class EventGridTrigger {
  private readonly functions = new Map<string, HostedFunction>();

  constructor(
    functions: HostedFunction[],
    private readonly keys: FunctionKeys,
    private readonly invoker: Invoker,
    private readonly clock: Clock,
  ) {
    for (const fn of functions) {
      if (fn.trigger.type.toLowerCase() === "eventgridtrigger" && !fn.disabled) this.functions.set(fn.name.toLowerCase(), fn);
    }
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (!this.keys.allowsSystem("eventgrid_extension", presentedKey(req, url))) {
      req.resume();
      send(res, 401);
      return;
    }
    const name = url.searchParams.get("functionName") ?? "";
    const fn = this.functions.get(name.toLowerCase());
    if (!fn) {
      req.resume();
      send(res, 404, `cannot find function: '${name}'`);
      return;
    }
    if (req.method === "OPTIONS") {
      const origin = header(req, "webhook-request-origin")?.toLowerCase();
      const allowed = origin && EVENT_GRID_ORIGINS.includes(origin) ? origin : EVENT_GRID_ORIGINS[0];
      send(res, 200, "", { "webhook-allowed-origin": allowed });
      return;
    }
    const eventType = header(req, "aeg-event-type") ?? "";
    const body = await readBody(req);
    let events: Record<string, unknown>[];
    if (eventType === "SubscriptionValidation" || eventType === "Notification") {
      try {
        const parsed: unknown = JSON.parse(body.toString("utf8"));
        events = (Array.isArray(parsed) ? parsed : [parsed]) as Record<string, unknown>[];
        if (events.some((e) => typeof e !== "object" || e === null)) throw new Error("every event must be a JSON object");
      } catch (err) {
        send(res, 400, `The request body is not a JSON event or array of events: ${(err as Error).message}`);
        return;
      }
    } else {
      events = [];
    }

    switch (eventType) {
      case "SubscriptionValidation": {
        let data = events[0]?.data;
        if (typeof data === "string") {
          try {
            data = JSON.parse(data);
          } catch {
            data = undefined;
          }
        }
        const code = (data as { validationCode?: unknown } | undefined)?.validationCode;
        if (typeof code !== "string") {
          send(res, 400, "The subscription validation event has no data.validationCode.");
          return;
        }
        send(res, 200, JSON.stringify({ validationResponse: code }));
        return;
      }
      case "Notification": {
        const results = await Promise.allSettled(events.map((event) => this.invoke(fn, event)));
        const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
        if (failed) send(res, 500, (failed.reason as Error)?.message ?? String(failed.reason));
        else send(res, 202);
        return;
      }
      case "Unsubscribe":
        send(res, 202);
        return;
      default:
        send(res, 400, `The aeg-event-type header "${eventType}" is not one of SubscriptionValidation, Notification or Unsubscribe.`);
    }
  }

  private async invoke(fn: HostedFunction, event: Record<string, unknown>): Promise<void> {
    await this.invoker.invoke(fn, {
      inputData: [{ name: fn.triggerName, data: jsonData(event) }],
      triggerMetadata: { data: jsonData(event.data), sys: sysMetadata(fn.name, this.clock.now()) },
      correlationId: eventCorrelationId(event),
    });
  }

  /** Delivers one event directly (the admin endpoint). */
  async deliver(fn: HostedFunction, event: Record<string, unknown>): Promise<void> {
    await this.invoke(fn, event);
  }
}
