/**
 * The CloudEvents webhook abuse protection Event Grid runs before it pushes CloudEvents to a webhook: an `OPTIONS`
 * request with `WebHook-Request-Origin` (eventgrid.azure.net in Azure's public cloud); the endpoint grants delivery
 * by echoing the origin in `WebHook-Allowed-Origin` (CloudEvents Web Hooks for Event Delivery 1.0, section 4).
 */
export interface ValidationAnswer {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

/** The senders this webhook accepts: Event Grid in Azure's clouds (public, US Government, China). */
export const EVENT_GRID_ORIGINS = ["eventgrid.azure.net", "eventgrid.azure.us", "eventgrid.azure.cn"];

type HeaderSource = { get(name: string): string | null };

export function abuseProtectionAnswer(headers: HeaderSource, allowedOrigins: readonly string[] = EVENT_GRID_ORIGINS): ValidationAnswer {
  const origin = headers.get("webhook-request-origin")?.trim();
  if (!origin) return { status: 400, headers: { "content-type": "text/plain" }, body: "WebHook-Request-Origin is required (CloudEvents webhook validation)." };
  if (!allowedOrigins.includes(origin.toLowerCase())) return { status: 403, headers: { "content-type": "text/plain" }, body: `Deliveries from ${origin} are not accepted.` };
  return {
    status: 200,
    headers: {
      "webhook-allowed-origin": origin,
      // No rate limit of our own: Event Grid may push as fast as it wants.
      "webhook-allowed-rate": "*",
      allow: "POST, OPTIONS",
    },
  };
}
