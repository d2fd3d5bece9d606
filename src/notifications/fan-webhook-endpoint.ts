/**
 * The simulated fan-facing webhook (a partner's endpoint in real life, served by the app so `npm start` shows what
 * fans receive): Event Grid's `fan-webhook` subscription pushes VIP purchase outcomes to it as CloudEvents.
 *   OPTIONS  the CloudEvents abuse-protection handshake;
 *   POST     one event or a batch, each recorded once (by event id); 400 for what is not CloudEvents (not retried);
 *   GET      `?fanId=` what a fan received.
 */
import { cloudEventsOf, DeliveryFormatError } from "./cloud-events-delivery.js";
import { type FanPush, fanPushOf, type FanWebhookLog } from "./fan-webhook-log.js";
import { abuseProtectionAnswer } from "./webhook-validation.js";
import { currentTime } from "../clock.js";

export interface WebhookRequest {
  method: string;
  headers: { get(name: string): string | null };
  query: { get(name: string): string | null };
  text(): Promise<string>;
}

export interface WebhookAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  jsonBody?: unknown;
  /** For the log line. */
  recorded?: FanPush[];
}

/** Event Grid's events are at most 1 MB; a batch of them too. */
const MAX_BODY_CHARS = 1_100_000;

export async function handleFanWebhook(request: WebhookRequest, log: FanWebhookLog, now = currentTime()): Promise<WebhookAnswer> {
  switch (request.method.toUpperCase()) {
    case "OPTIONS":
      return abuseProtectionAnswer(request.headers);
    case "GET": {
      const fanId = request.query.get("fanId");
      if (!fanId) return { status: 400, jsonBody: { error: "fanId is required" } };
      return { status: 200, jsonBody: { fanId, pushes: await log.forFan(fanId) } };
    }
    case "POST": {
      const body = await request.text();
      if (body.length > MAX_BODY_CHARS) return { status: 413, jsonBody: { error: "the delivery is over 1 MB" } };
      try {
        const recorded = cloudEventsOf(request.headers.get("content-type"), body).map((e) => fanPushOf(e, now));
        await log.record(recorded);
        return { status: 200, recorded };
      } catch (err) {
        if (err instanceof DeliveryFormatError) return { status: 400, jsonBody: { error: err.message } };
        throw err;
      }
    }
    default:
      return { status: 405, headers: { allow: "GET, POST, OPTIONS" } };
  }
}
