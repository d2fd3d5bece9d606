/**
 * Endpoint validation before the first delivery to a webhook, as Azure does it on subscription creation:
 * - EventGrid (and custom) schema: a `SubscriptionValidation` event; the endpoint answers 200 with
 *   `{"validationResponse": code}`, or 200 without it and then GETs the validation URL (manual mode);
 * - CloudEvents schema: the abuse-protection `OPTIONS` request; the endpoint grants with `WebHook-Allowed-Origin`.
 * Each runs once per attempt; what a failure means for the subscription is the dispatcher's business.
 */
import { randomUUID } from "node:crypto";
import type { Clock } from "../../common/clock.js";
import type { ValidationRequest, ValidationResult } from "./destination.js";
import { httpRequest } from "./http-request.js";
import type { RequestDeadlines } from "./request-deadlines.js";
import { outcomeForNetworkError } from "./retry-policy.js";

export const EVENT_GRID_ORIGIN = "eventgrid.azure.net";

function describe(err: unknown): string {
  return (err as Error)?.message || String(err);
}

/** A handshake that got no HTTP answer: Unreachable when nothing accepted the connection, Failed on a timeout. */
function noAnswer(what: string, err: unknown): ValidationResult {
  const outcome = outcomeForNetworkError(err);
  const error = `${what} failed: ${describe(err)}`;
  const unreachable = outcome === "SocketError" || outcome === "ResolutionError";
  return unreachable ? { state: "Unreachable", error } : { state: "Failed", error };
}

export async function subscriptionValidationHandshake(
  url: string,
  opts: { subscriptionName: string; topicId: string; clock: Clock; deadlines: RequestDeadlines; request: ValidationRequest },
): Promise<ValidationResult> {
  const body = JSON.stringify([
    {
      id: randomUUID(),
      topic: opts.topicId,
      subject: "",
      data: { validationCode: opts.request.code, validationUrl: opts.request.validationUrl },
      eventType: "Microsoft.EventGrid.SubscriptionValidationEvent",
      eventTime: new Date(opts.clock.now()).toISOString(),
      metadataVersion: "1",
      dataVersion: "1",
    },
  ]);
  try {
    const answer = await httpRequest(url, {
      method: "POST",
      headers: {
        "content-type": "application/json; charset=utf-8",
        "aeg-event-type": "SubscriptionValidation",
        "aeg-subscription-name": opts.subscriptionName.toUpperCase(),
        "aeg-delivery-count": "0",
        "aeg-metadata-version": "1",
        "aeg-data-version": "1",
      },
      body,
      deadlines: opts.deadlines,
    });
    if (answer.status !== 200) return { state: "Failed", error: `the endpoint answered the validation request with ${answer.status}, not 200` };
    let response: unknown;
    try {
      response = answer.body.length ? JSON.parse(answer.body.toString("utf8")) : undefined;
    } catch {
      response = undefined;
    }
    const echoed =
      typeof response === "object" && response !== null
        ? Object.entries(response).find(([k]) => k.toLowerCase() === "validationresponse")?.[1]
        : undefined;
    if (echoed === opts.request.code) return { state: "Succeeded" };
    if (echoed !== undefined) return { state: "Failed", error: `the endpoint echoed validation code '${String(echoed)}', not '${opts.request.code}'` };
    return { state: "AwaitingManualAction", code: opts.request.code };
  } catch (err) {
    return noAnswer("validation request", err);
  }
}

export async function cloudEventsAbuseProtectionHandshake(url: string, deadlines: RequestDeadlines): Promise<ValidationResult> {
  try {
    const answer = await httpRequest(url, {
      method: "OPTIONS",
      headers: { "webhook-request-origin": EVENT_GRID_ORIGIN, "webhook-request-rate": "120" },
      deadlines,
    });
    const allowed = answer.headers["webhook-allowed-origin"];
    const origins = (Array.isArray(allowed) ? allowed.join(",") : (allowed ?? "")).split(",").map((s) => s.trim().toLowerCase());
    if (answer.status >= 200 && answer.status < 300 && (origins.includes(EVENT_GRID_ORIGIN) || origins.includes("*"))) return { state: "Succeeded" };
    return {
      state: "Failed",
      error: `the endpoint did not grant delivery: OPTIONS answered ${answer.status} with WebHook-Allowed-Origin '${origins.join(",")}'`,
    };
  } catch (err) {
    return noAnswer("OPTIONS handshake", err);
  }
}
