/**
 * The e-mail service's client of the fans API (event notification: FanRegistered carries only the fan's id, so the
 * service calls back `GET {Fans__baseUrl}/fans/{id}` for the name and e-mail). Same pattern as the ticketing
 * provider's client (both on src/services/http/retrying-http-client.ts): each call bounded by a timeout; a 5xx, 408, 429, a timeout or a network error retried with
 * exponential backoff and jitter a few times, then FansApiUnavailableError.
 * A 404 is not retried here: the event proves the fan exists (its stream is written before the event is sent), so a
 * 404 means the fans API is not serving (a disabled function answers 404, as in Azure) or lags; it throws
 * FansApiUnavailableError at once and Service Bus redelivers the event (then dead-letters it after
 * MaxDeliveryCount, from where it is resubmitted once the fans API is back). Either way the mail is not lost.
 */
import { isRetryableStatus, RetryingHttpClient, type RetryingHttpClientOptions } from "../http/retrying-http-client.js";

export interface FanDetails {
  fanId: string;
  email: string;
  name: string;
}

/** Where the e-mail service gets a fan's details. */
export interface FanDetailsSource {
  getFan(fanId: string, headers?: Record<string, string>): Promise<FanDetails>;
}

export interface FansApiClientOptions extends RetryingHttpClientOptions {
  /** The fans API's base URL; requests go to `${baseUrl}/fans/{id}`. */
  baseUrl: string;
}

/** The fans API could not give the fan's details now; a later delivery may succeed. */
export class FansApiUnavailableError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "FansApiUnavailableError";
  }
}

export class FansApiClient implements FanDetailsSource {
  private readonly baseUrl: string;
  private readonly http: RetryingHttpClient;

  constructor(options: FansApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.http = new RetryingHttpClient(options);
  }

  async getFan(fanId: string, headers: Record<string, string> = {}): Promise<FanDetails> {
    const url = `${this.baseUrl}/fans/${encodeURIComponent(fanId)}`;
    const result = await this.http.call(url, { headers: { accept: "application/json", ...headers } }, (response, text) => {
      if (response.status === 200) return { done: true, value: detailsOf(fanId, text) };
      if (response.status === 404) throw new FansApiUnavailableError(`The fans API has no fan ${fanId} (HTTP 404 from ${url}): it is not serving or not up to date; retry later.`, 404);
      if (!isRetryableStatus(response.status)) throw new FansApiUnavailableError(`The fans API refused GET ${url} (HTTP ${response.status}): ${text.slice(0, 300)}`, response.status);
      return { done: false, reason: `HTTP ${response.status}` };
    });
    if (result.ok) return result.value;
    throw new FansApiUnavailableError(`The fans API failed ${result.attempts} attempts for fan ${fanId}: ${result.reason}`, undefined, { cause: result.cause });
  }
}

function detailsOf(fanId: string, text: string): FanDetails {
  const body = JSON.parse(text) as Partial<FanDetails>;
  if (typeof body.email !== "string" || typeof body.name !== "string") throw new FansApiUnavailableError(`The fans API answered fan ${fanId} without an e-mail and a name.`, 200);
  return { fanId, email: body.email, name: body.name };
}

/**
 * The fans API's base URL: `Fans__baseUrl` when set (the fans service deployed elsewhere), else the app's own API
 * (the fans functions run in this app), found through WEBSITE_HOSTNAME as Azure and `func start` set it.
 */
export function fansApiBaseUrl(configured: string | undefined, env: Record<string, string | undefined> = process.env, routePrefix = "api"): string {
  if (configured) return configured;
  const host = env.WEBSITE_HOSTNAME?.trim();
  if (!host) throw new Error('Set "Fans__baseUrl" to the fans API\'s URL (WEBSITE_HOSTNAME, which would point at this app\'s own fans API, is not set).');
  const local = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/i.test(host);
  const prefix = routePrefix ? `/${routePrefix.replace(/^\/+|\/+$/g, "")}` : "";
  return `${local ? "http" : "https"}://${host}${prefix}`;
}

/** A client built on first use, so the base URL (which may need WEBSITE_HOSTNAME) is only required by a FanRegistered. */
export function lazyFansApiClient(build: () => FanDetailsSource): FanDetailsSource {
  let client: FanDetailsSource | undefined;
  return { getFan: (fanId, headers) => (client ??= build()).getFan(fanId, headers) };
}
