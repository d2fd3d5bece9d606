/**
 * Where the ticketing provider client sends requests: `TicketingProvider__baseUrl` when set (a real provider, or
 * a simulated one elsewhere), else the app's own simulated provider. The app finds itself through WEBSITE_HOSTNAME,
 * which Azure sets on every Functions app (`<app>.azurewebsites.net`, https) and Core Tools' `func start` sets to
 * `localhost:<port>` (http).
 */
export const SIMULATED_PROVIDER_ROUTE = "simulated/ticketing-provider";

export function ticketingProviderBaseUrl(configured: string | undefined, env: Record<string, string | undefined> = process.env, routePrefix = "api"): string {
  if (configured) return configured;
  const host = env.WEBSITE_HOSTNAME?.trim();
  if (!host) throw new Error('Set "TicketingProvider__baseUrl" to the ticketing provider\'s URL (WEBSITE_HOSTNAME, which would point at the app\'s own simulated provider, is not set).');
  const local = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/i.test(host);
  const prefix = routePrefix ? `/${routePrefix.replace(/^\/+|\/+$/g, "")}` : "";
  return `${local ? "http" : "https"}://${host}${prefix}/${SIMULATED_PROVIDER_ROUTE}`;
}
