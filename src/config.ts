/**
 * The system's settings, read from the environment (locally `local.settings.json` Values, in Azure the app
 * settings), with the Functions naming conventions so the same names serve triggers and our own SDK clients:
 * a connection is either a connection string in the setting itself (the emulators, Azurite) or identity-based
 * settings under `<name>__...` (`__fullyQualifiedNamespace`, `__topicEndpointUri`, `__tableServiceUri` or
 * `__accountName`, with `__credential` and `__clientId` choosing the identity).
 */
import { DefaultAzureCredential, ManagedIdentityCredential } from "@azure/identity";
import type { TokenCredential } from "@azure/identity";
import { parse as parseDuration } from "tinyduration";

/** Entity names of the topology declared in topology/ (and deployed by infra/ from the same files). */
export const topology = {
  topics: { events: "events", commands: "commands" },
  subscriptions: {
    // On `commands`, one per handler, each filtered on its command types (commandType IN (...)).
    concerts: "concerts",
    purchases: "purchases",
    payments: "payments",
    ticketingProvider: "ticketing-provider",
    // On `events`: the purchase process (session-enabled, session id = purchase id) and the e-mail service.
    purchaseProcess: "purchase-process",
    email: "email",
    // The fans service's commands (RegisterFan, UpdateFanProfile) on `commands`; on `events`, the ticketing side's
    // replica of the fans' profiles (FanProfileUpdated).
    fans: "fans",
    fanReplica: "fan-replica",
    // On `events`: the read models of the query side (every event of the purchase and concert streams; no sessions).
    projections: "projections",
    /** @deprecated the first slice's `purchases` topic subscription, removed with it. */
    payment: "payment",
  },
  /** The Kafka topic (event hub) every domain event is mirrored to, keyed by stream id. */
  eventHub: "festival-events",
  eventGridTopic: "musicfest-events",
  tables: { events: "events", payments: "payments", mails: "mails", purchases: "purchases", notifications: "notifications", fanReplica: "fanreplica", timeline: "timeline",
    // The read models (src/projections/), kept by the projections consumer, read by the GET endpoints.
    purchaseStatus: "purchasestatus", fanPurchases: "fanpurchases", concertAvailability: "concertavailability", concertSales: "concertsales",
    // Sales per concert per minute, kept by the analytics consumer of the Kafka stream (src/analytics/).
    salesPerMinute: "salesperminute",
    // What the simulated fan-facing webhook received from Event Grid (src/notifications/).
    fanWebhook: "fanwebhook" },
  /** @deprecated the first slice's topic, removed with it. */
  purchasesTopic: "purchases",
} as const;

export const settingNames = {
  serviceBus: "ServiceBusConnection",
  eventGrid: "MusicFestEvents",
  storage: "TicketingStorage",
  eventHubs: "EventHubsConnection",
} as const;

export type Env = Record<string, string | undefined>;

export type ServiceBusConnection = { kind: "connectionString"; connectionString: string } | { kind: "identity"; fullyQualifiedNamespace: string; credential: TokenCredential };
export type EventGridConnection = { kind: "key"; endpoint: string; key: string } | { kind: "identity"; endpoint: string; credential: TokenCredential };
export type TableConnection = { kind: "connectionString"; connectionString: string } | { kind: "identity"; endpoint: string; credential: TokenCredential };

/** The Event Hubs Kafka endpoint: brokers plus SASL PLAIN with the connection string, or OAUTHBEARER with an identity. */
export type EventHubsConnection =
  | { kind: "connectionString"; brokers: string[]; ssl: boolean; connectionString: string }
  | { kind: "identity"; brokers: string[]; ssl: true; fullyQualifiedNamespace: string; credential: TokenCredential };

export interface Settings {
  serviceBus: ServiceBusConnection;
  eventGrid: EventGridConnection;
  storage: TableConnection;
  /** Absent when neither `EventHubsConnection` nor `EventHubsConnection__fullyQualifiedNamespace` is set. */
  eventHubs?: EventHubsConnection;
}

export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SettingsError";
  }
}

function value(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === "" ? undefined : v.trim();
}

/** `<name>__credential` = managedidentity picks the managed identity (user-assigned with `__clientId`); otherwise DefaultAzureCredential. */
export function credentialFor(name: string, env: Env): TokenCredential {
  const clientId = value(env, `${name}__clientId`);
  if (value(env, `${name}__credential`)?.toLowerCase() === "managedidentity") {
    return clientId ? new ManagedIdentityCredential({ clientId }) : new ManagedIdentityCredential();
  }
  return new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : undefined);
}

export function serviceBusConnection(env: Env, name: string = settingNames.serviceBus): ServiceBusConnection {
  const connectionString = value(env, name);
  if (connectionString) {
    if (!/Endpoint=/i.test(connectionString)) throw new SettingsError(`The app setting "${name}" is not a Service Bus connection string (it has no Endpoint=).`);
    return { kind: "connectionString", connectionString };
  }
  const fullyQualifiedNamespace = value(env, `${name}__fullyQualifiedNamespace`);
  if (fullyQualifiedNamespace) return { kind: "identity", fullyQualifiedNamespace, credential: credentialFor(name, env) };
  throw new SettingsError(`Set "${name}" to a Service Bus connection string, or "${name}__fullyQualifiedNamespace" for an identity-based connection.`);
}

export function eventGridConnection(env: Env, name: string = settingNames.eventGrid): EventGridConnection {
  const endpoint = value(env, `${name}__topicEndpointUri`);
  if (!endpoint) throw new SettingsError(`Set "${name}__topicEndpointUri" to the Event Grid topic endpoint (and "${name}__topicKey" for key authentication).`);
  if (!URL.canParse(endpoint)) throw new SettingsError(`"${name}__topicEndpointUri" is not a URL: ${endpoint}`);
  const key = value(env, `${name}__topicKey`);
  return key ? { kind: "key", endpoint, key } : { kind: "identity", endpoint, credential: credentialFor(name, env) };
}

export function tableConnection(env: Env, name: string = settingNames.storage): TableConnection {
  const connectionString = value(env, name);
  if (connectionString) return { kind: "connectionString", connectionString };
  const endpoint = value(env, `${name}__tableServiceUri`) ?? (value(env, `${name}__accountName`) && `https://${value(env, `${name}__accountName`)}.table.core.windows.net`);
  if (endpoint) return { kind: "identity", endpoint, credential: credentialFor(name, env) };
  throw new SettingsError(`Set "${name}" to a storage connection string, or "${name}__tableServiceUri" / "${name}__accountName" for an identity-based connection.`);
}

/** Event Hubs' Kafka endpoint listens on 9093 with TLS; the emulators' connection strings name their own port. */
const EVENT_HUBS_KAFKA_PORT = 9093;

export function eventHubsConnection(env: Env, name: string = settingNames.eventHubs): EventHubsConnection | undefined {
  const connectionString = value(env, name);
  if (connectionString) {
    const parts = new Map(connectionString.split(";").filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf("=")).trim().toLowerCase(), kv.slice(kv.indexOf("=") + 1).trim()]));
    const endpoint = parts.get("endpoint");
    if (!endpoint || !URL.canParse(endpoint)) throw new SettingsError(`The app setting "${name}" is not an Event Hubs connection string (it needs Endpoint=sb://<namespace>...).`);
    if (!parts.get("sharedaccesskeyname") && !parts.get("sharedaccesssignature")) throw new SettingsError(`The app setting "${name}" has no SharedAccessKeyName/SharedAccessKey (or SharedAccessSignature).`);
    const url = new URL(endpoint);
    const emulator = parts.get("usedevelopmentemulator")?.toLowerCase() === "true";
    return { kind: "connectionString", brokers: [`${url.hostname}:${url.port || EVENT_HUBS_KAFKA_PORT}`], ssl: !emulator, connectionString };
  }
  const fullyQualifiedNamespace = value(env, `${name}__fullyQualifiedNamespace`);
  if (!fullyQualifiedNamespace) return undefined;
  const host = fullyQualifiedNamespace.replace(/^[a-z]+:\/\//i, "").replace(/[:/].*$/, "");
  return { kind: "identity", brokers: [`${host}:${EVENT_HUBS_KAFKA_PORT}`], ssl: true, fullyQualifiedNamespace: host, credential: credentialFor(name, env) };
}

export function loadSettings(env: Env = process.env): Settings {
  const eventHubs = eventHubsConnection(env);
  return { serviceBus: serviceBusConnection(env), eventGrid: eventGridConnection(env), storage: tableConnection(env), ...(eventHubs ? { eventHubs } : {}) };
}

/**
 * The plain settings (not connections), each with its default: the one list the code reads and the infra derives
 * the Azure app settings from. A value that does not parse is a SettingsError naming the setting.
 */
export interface PlainSetting<T> {
  name: string;
  default: string;
  description: string;
  parse(text: string): T;
}

function setting<T>(name: string, defaultValue: string, description: string, parse: (text: string) => T): PlainSetting<T> {
  return { name, default: defaultValue, description, parse };
}

const durationMs = (min: number, max: number) => (text: string) => {
  let ms: number;
  try {
    const d = parseDuration(text);
    if (d.negative || d.years || d.months) throw new Error("no years, months or negative durations");
    ms = ((((d.weeks ?? 0) * 7 + (d.days ?? 0)) * 24 + (d.hours ?? 0)) * 60 + (d.minutes ?? 0)) * 60_000 + (d.seconds ?? 0) * 1000;
  } catch {
    throw new Error(`an ISO 8601 duration such as PT10M is expected`);
  }
  if (ms < min || ms > max) throw new Error(`must be from ${min / 1000} s to ${max / 1000} s`);
  return Math.round(ms);
};

const numberIn = (min: number, max: number, integer: boolean) => (text: string) => {
  const n = Number(text);
  if (text === "" || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) throw new Error(`${integer ? "a whole number" : "a number"} from ${min} to ${max} is expected`);
  return n;
};

const optionalUrl = (text: string) => {
  if (text === "") return undefined;
  if (!URL.canParse(text) || !/^https?:$/.test(new URL(text).protocol)) throw new Error("an http(s) URL is expected");
  return text.replace(/\/+$/, "");
};

const list = (text: string) => text.split(",").map((s) => s.trim()).filter(Boolean);

const yesNo = (text: string) => {
  if (!/^(true|false)$/i.test(text)) throw new Error("true or false is expected");
  return text.toLowerCase() === "true";
};

const TRACES_EXPORTERS = ["otlp", "console", "none"] as const;
const tracesExporters = (text: string) => {
  const names = list(text.toLowerCase());
  const unknown = names.filter((n) => !(TRACES_EXPORTERS as readonly string[]).includes(n));
  if (unknown.length) throw new Error(`unknown exporter ${unknown.join(", ")}; use ${TRACES_EXPORTERS.join(", ")}`);
  return names as (typeof TRACES_EXPORTERS)[number][];
};

export const plainSettings = {
  admissionHoldMs: setting(
    "Purchase__admissionHold",
    "PT5M",
    "How long a purchase the API accepted keeps its tickets off sale at the POST until the concert answers it " +
      "(ISO 8601 duration; PT0S: only reserved tickets are off sale).",
    durationMs(0, 3_600_000),
  ),
  reservationTimeoutMs: setting("Purchase__reservationTimeout", "PT10M", "How long reserved tickets are held unpaid before the purchase is cancelled (ISO 8601 duration).", durationMs(1000, 7 * 86_400_000)),
  snapshotEvery: setting("EventStore__snapshotEvery", "20", "Write a snapshot of a stream's state every N events (0: never).", numberIn(0, 10_000, true)),
  outboxSweepGraceMs: setting("Outbox__sweepGracePeriod", "PT5S", "The outbox sweeper publishes records pending for longer than this (ISO 8601 duration).", durationMs(0, 86_400_000)),
  paymentDeclineOverCents: setting("Payment__declineOverCents", "100000", "The simulated payment gateway declines amounts over this many cents.", numberIn(0, Number.MAX_SAFE_INTEGER, true)),
  paymentTransientFailureRate: setting("Payment__transientFailureRate", "0", "Share of payment attempts that fail transiently (0 to 1); Service Bus redelivers them.", numberIn(0, 1, false)),
  ticketingProviderBaseUrl: setting("TicketingProvider__baseUrl", "", "Base URL of the third-party ticketing provider; empty: the app's own simulated provider.", optionalUrl),
  ticketingProviderLatencyMs: setting("TicketingProvider__latencyMs", "0", "Latency the simulated ticketing provider adds to each request, in ms.", numberIn(0, 60_000, true)),
  ticketingProviderFailureRate: setting("TicketingProvider__failureRate", "0", "Share of requests the simulated ticketing provider fails with a 503 (0 to 1).", numberIn(0, 1, false)),
  ticketingProviderUnavailableConcerts: setting("TicketingProvider__unavailableConcerts", "", "Comma-separated concert ids for which the simulated provider answers 409 (no tickets).", list),
  // The circuit breaker around the provider (src/services/ticketing-provider/provider-circuit-breaker.ts); each
  // Functions instance has its own breaker, so these bound what one instance sends a provider that is down.
  ticketingProviderBreakerFailures: setting(
    "TicketingProvider__breakerFailures",
    "5",
    "Consecutive failed attempts at the ticketing provider (5xx, 408, 429, timeout, network error) " +
      "that open its circuit.",
    numberIn(1, 1_000, true),
  ),
  ticketingProviderBreakerHalfOpenAfterMs: setting(
    "TicketingProvider__breakerHalfOpenAfter",
    "PT30S",
    "How long the ticketing provider's circuit stays open before one probe may go through (ISO 8601 duration).",
    durationMs(1000, 3_600_000),
  ),
  ticketingProviderAttemptTimeoutMs: setting(
    "TicketingProvider__attemptTimeout",
    "PT5S",
    "Each request to the ticketing provider is abandoned after this long and counts as a failure (ISO 8601 duration).",
    durationMs(1000, 120_000),
  ),
  fansBaseUrl: setting("Fans__baseUrl", "", "Base URL of the fans API the e-mail service calls back (requests go to <url>/fans/{id}); empty: this app's own API.", optionalUrl),
  tracesExporter: setting("OTEL_TRACES_EXPORTER", "", "Where traces go: otlp, console or none (comma-separated); empty: Azure Monitor when APPLICATIONINSIGHTS_CONNECTION_STRING is set, OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set, else nowhere.", tracesExporters),
  otlpEndpoint: setting("OTEL_EXPORTER_OTLP_ENDPOINT", "", "Base URL of an OTLP/HTTP collector (traces go to <url>/v1/traces), e.g. http://localhost:4318.", optionalUrl),
  applicationInsightsConnectionString: setting("APPLICATIONINSIGHTS_CONNECTION_STRING", "", "Application Insights connection string: traces go to Azure Monitor.", (text) => text),
  applicationInsightsAuthentication: setting("APPLICATIONINSIGHTS_AUTHENTICATION_STRING", "", "`Authorization=AAD` (with `ClientId=<id>` for a user-assigned identity): traces are sent with an Entra token, as Application Insights with local auth off requires.", (text) => text),
  serviceName: setting("OTEL_SERVICE_NAME", "musicfest-ticketing", "The service name on every span (the cloud role in Application Insights).", (text) => text),
  commandsDeadLetterRefusals: setting(
    "Commands__deadLetterRefusals",
    "true",
    "Dead-letter a command the domain refuses for good (or a malformed one) at once, with the refusal's code as " +
      "reason, through the Service Bus SDK binding (needs @azure/functions-extensions-servicebus); false: every " +
      "failure abandons and Service Bus dead-letters after MaxDeliveryCount.",
    yesNo,
  ),
  timelineEnabled: setting("Timeline__enabled", "true", "Write each message's hops (published, delivered, handled) to Table `timeline` for GET /api/purchases/{id}/timeline.", yesNo),
} as const;

export type AppSettings = { [K in keyof typeof plainSettings]: ReturnType<(typeof plainSettings)[K]["parse"]> };

/** Reads every plain setting, with its default when unset; a bad value is a SettingsError naming the setting. */
export function loadAppSettings(env: Env = process.env): AppSettings {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(plainSettings) as [string, PlainSetting<unknown>][]) {
    const text = env[spec.name]?.trim() ?? "";
    try {
      out[key] = spec.parse(text === "" ? spec.default : text);
    } catch (err) {
      throw new SettingsError(`The app setting "${spec.name}" is invalid ("${text}"): ${(err as Error).message}.`);
    }
  }
  return out as AppSettings;
}
