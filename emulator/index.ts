/**
 * startEmulator(): Service Bus (AMQP 1.0), the HTTP port (health, clock, administration, Event Grid), the Event Hubs
 * Kafka endpoint and, when asked, a Table Storage endpoint, on one clock. Tests start one per file on free ports
 * (port 0).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { EmulatorClock } from "./common/clock.js";
import { registerEmulatorRoutes } from "./common/emulator-routes.js";
import { EmulatorHttpServer } from "./common/http-server.js";
import { createLogger, type Logger, type LogLevel } from "./common/logger.js";
import { loadServiceBusConfig, parseServiceBusConfig, type ServiceBusNamespaceConfig } from "./servicebus/config.js";
import { SAS_KEY_NAME, SAS_KEY_VALUE, startServiceBus, type ServiceBusService } from "./servicebus/index.js";
import { mutationGuard } from "./servicebus/admin/mutation-guard.js";
import type { AmqpConnectionLimits } from "./servicebus/amqp/connection-limits.js";
import type { KafkaConnectionLimits } from "./kafka/connection-limits.js";
import type { HttpLimits } from "./common/http-limits.js";
import { type EventHubsConfig, type KafkaService, loadEventHubsConfig, parseEventHubsConfig, startKafka } from "./kafka/index.js";
import { type EventGridConfig, type EventGridService, loadEventGridConfig, parseEventGridConfig, startEventGrid } from "./eventgrid/index.js";
import { startTableService, type TableService } from "./tables/index.js";
import { type Dashboard, startDashboard } from "./dashboard/index.js";

/**
 * The topology used when no config is passed: a neutral sample (Microsoft's emulators' sample entities: queue.1,
 * topic.1 with subscription.1 to .4, event hub eh1; one Event Grid topic with no subscription). It sits beside this
 * file in the sources and in the compiled package (dist/defaults/, copied by the build).
 */
export const defaultConfigDir = fileURLToPath(new URL("./defaults/", import.meta.url));
export const defaultServiceBusConfigFile = `${defaultConfigDir}servicebus.json`;
export const defaultEventHubsConfigFile = `${defaultConfigDir}eventhubs.json`;
export const defaultEventGridConfigFile = `${defaultConfigDir}eventgrid.json`;

export interface EmulatorOptions {
  /** Address to bind; default 127.0.0.1 (use 0.0.0.0 to reach it from containers or other machines). */
  host?: string;
  /** Path of a Service Bus Config.json, or an already-parsed config object in that format. */
  servicebusConfig?: string | object;
  /** AMQP port (default 5672; 0 picks a free port). */
  servicebusPort?: number;
  /** Service Bus AMQPS (TLS) port, as Azure's 5671 (0 picks a free port); none when absent. The CLI serves 5671. */
  servicebusAmqpsPort?: number;
  /** HTTP port for health, clock and administration (default 5300; 0 picks a free port). */
  httpPort?: number;
  /** Path of an Event Hubs emulator Config.json, or an already-parsed config object in that format. */
  eventhubsConfig?: string | object;
  /** Kafka endpoint port (default 9092; 0 picks a free port). */
  kafkaPort?: number;
  /**
   * Kafka SASL_SSL port (Azure's is 9093; `npm run emulator` serves it there), with the administration API's
   * certificate; 0 picks a free port. Absent: no SASL_SSL listener, and no certificate is loaded at start.
   */
  kafkaTlsPort?: number;
  /** Path of an Event Grid config (ARM property names), or an already-parsed object in that format. */
  eventgridConfig?: string | object;
  /** Directory of the TLS certificate of Service Bus AMQPS and admin HTTPS (default ~/.cache/fest-emulator). */
  certificateDir?: string;
  /** A ready certificate for that HTTPS endpoint instead (PEM cert and key). */
  tlsCertificate?: { cert: string; key: string };
  /**
   * Table Storage endpoint port (Azurite's is 10002; 0 picks a free port). Absent: no Table endpoint. With `dataDir`
   * its tables are durable on acknowledgement.
   */
  tablePort?: number;
  /** Keep state on disk under this directory (durable mode); in memory when absent. */
  dataDir?: string;
  logLevel?: LogLevel;
  clock?: EmulatorClock;
  /** Per-connection limits of each port (frame sizes, deadlines, buffers); the real services' figures by default. */
  limits?: EmulatorLimits;
  /** Serve the dashboard at `/` on the HTTP port and record flows (default true). */
  dashboard?: boolean;
}

export interface EmulatorLimits {
  amqp?: Partial<AmqpConnectionLimits>;
  kafka?: Partial<KafkaConnectionLimits>;
  /** The HTTP port and the administration API's HTTPS endpoint on the AMQP port. */
  http?: Partial<HttpLimits>;
}

export interface Emulator {
  readonly clock: EmulatorClock;
  readonly http: { readonly port: number; readonly url: string };
  readonly serviceBus: ServiceBusService;
  readonly kafka: KafkaService;
  readonly eventGrid: EventGridService;
  /** The Table Storage endpoint, when `tablePort` was given. */
  readonly tables: TableService | undefined;
  /** The web page at `/` and its flow recorder; undefined when started with `dashboard: false`. */
  readonly dashboard: Dashboard | undefined;
  readonly logger: Logger;
  close(): Promise<void>;
}

function serviceBusConfigFrom(option: string | object | undefined): ServiceBusNamespaceConfig {
  if (option === undefined) return loadServiceBusConfig(defaultServiceBusConfigFile);
  if (typeof option === "string") return loadServiceBusConfig(option);
  return parseServiceBusConfig(option);
}

function eventHubsConfigFrom(option: string | object | undefined): EventHubsConfig {
  if (option === undefined) return loadEventHubsConfig(defaultEventHubsConfigFile);
  if (typeof option === "string") return loadEventHubsConfig(option);
  return parseEventHubsConfig(option);
}

function eventGridConfigFrom(option: string | object | undefined): EventGridConfig {
  if (option === undefined) return loadEventGridConfig(defaultEventGridConfigFile);
  if (typeof option === "string") return loadEventGridConfig(option);
  return parseEventGridConfig(option);
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? "127.0.0.1";
  const clock = options.clock ?? new EmulatorClock();
  const logger = createLogger(options.logLevel ?? "silent");
  const sbConfig = serviceBusConfigFrom(options.servicebusConfig);
  const ehConfig = eventHubsConfigFrom(options.eventhubsConfig);
  const egConfig = eventGridConfigFrom(options.eventgridConfig);

  const http = new EmulatorHttpServer(options.limits?.http);
  let ready = false;
  const credentials = { keyName: SAS_KEY_NAME, key: SAS_KEY_VALUE };
  http.guardMutations(mutationGuard({ credentials, namespaceName: sbConfig.name }));
  registerEmulatorRoutes(http, clock, () => ready);

  const closers: (() => Promise<void>)[] = [];
  try {
    const serviceBus = await startServiceBus({
      config: sbConfig,
      port: options.servicebusPort ?? 5672,
      amqpsPort: options.servicebusAmqpsPort,
      host,
      clock,
      http,
      logger: logger.child("servicebus"),
      certificateDir: options.certificateDir,
      tlsCertificate: options.tlsCertificate,
      dataDir: options.dataDir,
      limits: options.limits?.amqp,
    });
    closers.push(() => serviceBus.close());

    const eventGrid = startEventGrid({
      config: egConfig,
      http,
      clock,
      logger: logger.child("eventgrid"),
      dataDir: options.dataDir,
      serviceBus,
    });
    closers.push(() => eventGrid.close());

    const tlsPort = options.kafkaTlsPort;
    const kafka = await startKafka({
      config: ehConfig,
      port: options.kafkaPort ?? 9092,
      ...(tlsPort === undefined ? {} : { tls: await serviceBus.certificate(), tlsPort }),
      host,
      clock,
      logger: logger.child("kafka"),
      dataDir: options.dataDir,
      limits: options.limits?.kafka,
    });
    closers.push(() => kafka.close());

    let dashboard: Dashboard | undefined;
    if (options.dashboard !== false) {
      const namespace = serviceBus.namespace;
      const started = startDashboard({ http, clock, namespace, serviceBus, eventGrid, kafka });
      dashboard = started;
      closers.push(async () => started.close());
    }

    let tables: TableService | undefined;
    if (options.tablePort !== undefined) {
      const tableService = await startTableService({
        port: options.tablePort,
        host,
        clock,
        logger: logger.child("tables"),
        dataDir: options.dataDir ? path.join(options.dataDir, "tables") : undefined,
      });
      tables = tableService;
      closers.push(() => tableService.close());
    }

    const httpPort = await http.listen(options.httpPort ?? 5300, host);
    closers.push(() => http.close());
    ready = true;

    const displayHost = host === "0.0.0.0" || host === "::" ? "localhost" : host;
    eventGrid.setBaseUrl(`http://${displayHost}:${httpPort}`);
    return {
      clock,
      http: { port: httpPort, url: `http://${displayHost}:${httpPort}` },
      serviceBus,
      kafka,
      eventGrid,
      tables,
      dashboard,
      logger,
      async close() {
        ready = false;
        for (const close of closers.reverse()) await close().catch((err) => logger.warn("close failed", { err: String(err) }));
        clock.dispose();
      },
    };
  } catch (err) {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    clock.dispose();
    throw err;
  }
}
