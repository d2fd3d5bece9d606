/**
 * OpenTelemetry tracing, set up once per process (the Functions worker calls startTelemetry when the app loads):
 * a tracer provider with W3C trace context propagation and the exporters the settings ask for:
 *   APPLICATIONINSIGHTS_CONNECTION_STRING set  -> Azure Monitor (in Azure);
 *   OTEL_EXPORTER_OTLP_ENDPOINT set            -> OTLP over HTTP (a local collector, Jaeger, Aspire dashboard...);
 *   OTEL_TRACES_EXPORTER=console               -> one JSON-ish block per span on stdout;
 *   OTEL_TRACES_EXPORTER=none, or nothing set  -> spans are made (ids flow through every message) but go nowhere.
 * Without startTelemetry the @opentelemetry/api calls are no-ops that pass a message's traceparent through unchanged.
 */
import { type Attributes, diag } from "@opentelemetry/api";
import { ExportResultCode, type ExportResult } from "@opentelemetry/core";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, ConsoleSpanExporter, NodeTracerProvider, type ReadableSpan, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from "@opentelemetry/sdk-trace-node";
import { type Env, plainSettings, type PlainSetting } from "../config.js";
import { ManagedIdentityCredential, type TokenCredential } from "@azure/identity";

export type ExporterName = "azuremonitor" | "otlp" | "console";

export interface TelemetryOptions {
  env?: Env;
  /** More processors, e.g. an in-memory exporter in tests. */
  spanProcessors?: SpanProcessor[];
}

export interface Telemetry {
  readonly provider: NodeTracerProvider;
  /** The exporters in use (empty: spans go nowhere). */
  readonly exporters: readonly ExporterName[];
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

function read<T>(spec: PlainSetting<T>, env: Env): T {
  const text = env[spec.name]?.trim() ?? "";
  return spec.parse(text === "" ? spec.default : text);
}

/** Which exporters the settings ask for (OTEL_TRACES_EXPORTER first, as the OpenTelemetry spec has it). */
export function exportersFor(env: Env): ExporterName[] {
  const named = read(plainSettings.tracesExporter, env);
  if (named.includes("none")) return [];
  const out = new Set<ExporterName>();
  if (read(plainSettings.applicationInsightsConnectionString, env)) out.add("azuremonitor");
  if (read(plainSettings.otlpEndpoint, env) || named.includes("otlp")) out.add("otlp");
  if (named.includes("console")) out.add("console");
  return [...out];
}

/**
 * An exporter whose module loads in the background (Azure Monitor's takes about a second to import): spans exported
 * before it is ready wait for it, so start-up does not.
 */
class DeferredExporter implements SpanExporter {
  private readonly ready: Promise<SpanExporter>;

  constructor(load: () => Promise<SpanExporter>) {
    this.ready = load();
    this.ready.catch((err: unknown) => diag.error(`trace exporter failed to load: ${String(err)}`));
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.ready.then(
      (exporter) => exporter.export(spans, done),
      (error: unknown) => done({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) }),
    );
  }

  async shutdown(): Promise<void> {
    await (await this.ready.catch(() => undefined))?.shutdown();
  }

  async forceFlush(): Promise<void> {
    await (await this.ready.catch(() => undefined))?.forceFlush?.();
  }
}

function processorFor(name: ExporterName, env: Env): SpanProcessor {
  switch (name) {
    case "azuremonitor": {
      const connectionString = read(plainSettings.applicationInsightsConnectionString, env);
      const credential = entraCredentialOf(read(plainSettings.applicationInsightsAuthentication, env));
      return new BatchSpanProcessor(
        new DeferredExporter(async () => new (await import("@azure/monitor-opentelemetry-exporter")).AzureMonitorTraceExporter({ connectionString, ...(credential ? { credential } : {}) })),
      );
    }
    case "otlp": {
      const base = read(plainSettings.otlpEndpoint, env) ?? "http://localhost:4318";
      return new BatchSpanProcessor(new DeferredExporter(async () => new (await import("@opentelemetry/exporter-trace-otlp-http")).OTLPTraceExporter({ url: `${base}/v1/traces` })));
    }
    case "console":
      return new SimpleSpanProcessor(new ConsoleSpanExporter());
  }
}

/**
 * The identity of `APPLICATIONINSIGHTS_AUTHENTICATION_STRING` (`ClientId=<id>;Authorization=AAD`, the setting the
 * Functions host itself reads): with local auth off, Application Insights takes only Entra-authenticated telemetry.
 */
export function entraCredentialOf(authentication: string): TokenCredential | undefined {
  const parts = new Map(authentication.split(";").map((p) => p.split("=").map((x) => x.trim()) as [string, string]).map(([k, v]) => [k?.toLowerCase() ?? "", v ?? ""]));
  if (parts.get("authorization")?.toLowerCase() !== "aad") return undefined;
  const clientId = parts.get("clientid");
  return clientId ? new ManagedIdentityCredential({ clientId }) : new ManagedIdentityCredential();
}

let current: Telemetry | undefined;

/** Starts tracing for this process; later calls return the first set-up (a process has one global provider). */
export function startTelemetry(options: TelemetryOptions = {}): Telemetry {
  if (current) return current;
  const env = options.env ?? process.env;
  const exporters = exportersFor(env);
  const resource: Attributes = { "service.name": read(plainSettings.serviceName, env) };
  if (env.WEBSITE_INSTANCE_ID) resource["service.instance.id"] = env.WEBSITE_INSTANCE_ID;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes(resource),
    spanProcessors: [...exporters.map((name) => processorFor(name, env)), ...(options.spanProcessors ?? [])],
  });
  // The global provider, AsyncLocalStorage context and the W3C traceparent/baggage propagators.
  provider.register();
  current = {
    provider,
    exporters,
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
  return current;
}

/** The process's telemetry, when started. */
export function telemetry(): Telemetry | undefined {
  return current;
}
