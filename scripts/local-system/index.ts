/**
 * The whole system on this machine: Azurite, the emulator (Service Bus, Event Grid, the Kafka endpoint, Table
 * Storage) and the local Functions host running the app, wired together. `npm start`, the system tests and the slice
 * bench share it. The app's tables live on the emulator's Table endpoint, which is durable on acknowledgement as
 * Azure Table Storage is (Azurite saves its tables only every few seconds, so a kill -9 lost acknowledged writes:
 * purchases half done, fans charged without tickets). Azurite keeps blob and queue, which the app stores nothing in
 * (AzureWebJobsStorage only names the account). The app settings that point at the emulators are computed from the
 * ports actually bound, and passed to the host over local.settings.json, so any port can be moved.
 */
import { randomBytes } from "node:crypto";
import net from "node:net";
import path from "node:path";
import { readFileSync } from "node:fs";
import { parse as parseJsonc } from "jsonc-parser";
import { type Emulator, startEmulator } from "../../emulator/index.js";
import { appEventGridConfigFile, appEventHubsConfigFile, appServiceBusConfigFile } from "../../topology/files.js";
import { type FunctionsHost, type InvocationListener, startFunctionsHost } from "../../emulator/functions-host/index.js";
import type { LogLevel } from "../../emulator/common/logger.js";
import type { TableService } from "../../emulator/tables/index.js";
import { type AzuriteProcess, startAzurite } from "./azurite.js";

/** The function app named in topology/eventgrid.json `functionApps`, whose URL follows the host's port. */
export const FUNCTION_APP_NAME = "musicfest-functions";
export const EVENT_GRID_TOPIC = "musicfest-events";
/** The app setting holding the host key the local system makes for function-level endpoints (x-functions-key). */
export const LOCAL_FUNCTION_KEY_SETTING = "host.function.local";

export interface LocalSystemPorts {
  functions: number;
  serviceBus: number;
  emulatorHttp: number;
  kafka: number;
  blob: number;
  queue: number;
  table: number;
}

export const DEFAULT_PORTS: LocalSystemPorts = { functions: 7071, serviceBus: 5672, emulatorHttp: 5300, kafka: 9092, blob: 10000, queue: 10001, table: 10002 };

export interface LocalSystemOptions {
  /** The Functions app folder (host.json, local.settings.json, package.json `main`). */
  appDir: string;
  ports: LocalSystemPorts;
  /** Keep emulator state (tables included) and Azurite data under this folder; in memory when absent. */
  dataDir?: string;
  logLevel?: LogLevel;
  /** Start the local Functions host (false when the app runs under `func start` instead). */
  functionsHost?: boolean;
  /** Create local.settings.json from local.settings.example.json when missing (first start). */
  createLocalSettings?: boolean;
  onInvocation?: InvocationListener;
  /** Settings that override everything else (tests). */
  extraSettings?: Record<string, string>;
}

export interface LocalSystem {
  /**
   * The development storage account (devstoreaccount1) as the app sees it: Azurite's blob and queue endpoints, and
   * the emulator's durable Table endpoint as its table endpoint and in its connection string.
   */
  readonly azurite: AzuriteProcess;
  readonly emulator: Emulator;
  readonly host: FunctionsHost | undefined;
  /** The Functions host's base URL (where it listens, or where `func start` is expected). */
  readonly functionsUrl: string;
  /** The app settings that point the app at these emulators. */
  readonly appSettings: Record<string, string>;
  close(): Promise<void>;
}

/**
 * A port free now, to listen on later (the Functions host's URL must be known before the emulator starts, for the
 * Event Grid subscriptions and WEBSITE_HOSTNAME). Taken below the kernel's ephemeral range: a port from port 0 is
 * in that range, and until the host listens, the emulator's own port-0 listeners or any outgoing connection's local
 * port could take it (seen as EADDRINUSE when the host started). Port 0 only if no such port is found.
 */
export async function freePort(): Promise<number> {
  const below = ephemeralRangeStart();
  const low = Math.max(1024, below - 12_000);
  for (let tries = 0; tries < 50 && below > low; tries++) {
    const candidate = low + Math.floor(Math.random() * (below - low));
    if (await canListen(candidate)) return candidate;
  }
  return listenOnce(0);
}

function ephemeralRangeStart(): number {
  try {
    const first = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    return Number.isInteger(first) && first > 1024 ? first : 32_768;
  } catch {
    return 32_768; // not Linux: the IANA dynamic range starts at 49152, Linux's default at 32768
  }
}

async function canListen(port: number): Promise<boolean> {
  return listenOnce(port).then(
    () => true,
    () => false,
  );
}

async function listenOnce(port: number): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, "127.0.0.1", resolve));
  const bound = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return bound;
}

type WebHookSubscription = { properties?: { destination?: { endpointType?: string; properties?: { endpointUrl?: string } } } };

/**
 * topology/eventgrid.json with the function app's URL on the host's actual port. WebHook endpoints the app
 * serves itself (the simulated fan webhook), written on the app's declared address, follow it there too.
 */
function eventGridConfig(functionsUrl: string): object {
  const config = parseJsonc(readFileSync(appEventGridConfigFile, "utf8")) as { functionApps?: Record<string, string>; topics?: { eventSubscriptions?: WebHookSubscription[] }[] };
  const declared = config.functionApps?.[FUNCTION_APP_NAME]?.replace(/\/+$/, "");
  for (const sub of (config.topics ?? []).flatMap((t) => t.eventSubscriptions ?? [])) {
    const destination = sub.properties?.destination;
    const url = destination?.properties?.endpointUrl;
    if (declared && destination?.endpointType === "WebHook" && url?.startsWith(`${declared}/`)) destination.properties!.endpointUrl = functionsUrl + url.slice(declared.length);
  }
  return { ...config, functionApps: { ...config.functionApps, [FUNCTION_APP_NAME]: functionsUrl } };
}

/** Azurite's account with the emulator's tables in place of Azurite's (same account name and key). */
function storageAccount(azurite: AzuriteProcess, tables: TableService): AzuriteProcess {
  const connectionString = azurite.connectionString.replace(/TableEndpoint=[^;]*;/, `TableEndpoint=${tables.endpoint};`);
  const { pid, blobEndpoint, queueEndpoint } = azurite;
  return { pid, blobEndpoint, queueEndpoint, tableEndpoint: tables.endpoint, connectionString, close: () => azurite.close() };
}

export async function startLocalSystem(options: LocalSystemOptions): Promise<LocalSystem> {
  const { ports } = options;
  const withHost = options.functionsHost ?? true;
  // The Event Grid subscription must know the host's address before the emulator starts.
  const functionsPort = ports.functions === 0 ? await freePort() : ports.functions;
  const functionsUrl = `http://127.0.0.1:${functionsPort}`;
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    closers.length = 0;
  };
  try {
    const azurite = await startAzurite({
      blobPort: ports.blob,
      queuePort: ports.queue,
      // Azurite's own table service is unused (the emulator serves tables on `ports.table`): any free port.
      tablePort: 0,
      location: options.dataDir ? path.join(options.dataDir, "azurite") : undefined,
    });
    closers.push(() => azurite.close());

    const emulator = await startEmulator({
      servicebusPort: ports.serviceBus,
      httpPort: ports.emulatorHttp,
      kafkaPort: ports.kafka,
      tablePort: ports.table,
      // The ticketing system's topology (the emulator's own defaults are a neutral sample).
      servicebusConfig: appServiceBusConfigFile,
      eventhubsConfig: appEventHubsConfigFile,
      eventgridConfig: eventGridConfig(functionsUrl),
      dataDir: options.dataDir ? path.join(options.dataDir, "emulator") : undefined,
      logLevel: options.logLevel ?? "silent",
    });
    closers.push(() => emulator.close());
    const storage = storageAccount(azurite, emulator.tables!);

    const topic = emulator.eventGrid.topics.find((t) => t.name === EVENT_GRID_TOPIC);
    if (!topic) throw new Error(`topology/eventgrid.json has no topic "${EVENT_GRID_TOPIC}", which the app publishes to.`);
    const appSettings: Record<string, string> = {
      AzureWebJobsStorage: storage.connectionString,
      TicketingStorage: storage.connectionString,
      ServiceBusConnection: emulator.serviceBus.connectionString,
      MusicFestEvents__topicEndpointUri: topic.endpoint,
      MusicFestEvents__topicKey: topic.key,
      // The event hub festival-events on the emulator's Kafka endpoint (SASL PLAIN, `$ConnectionString`).
      EventHubsConnection: emulator.kafka.connectionString,
      // Its brokers, for Kafka trigger bindings (`brokerList: "%EventHubsBrokerList%"`, as Microsoft documents them).
      EventHubsBrokerList: emulator.kafka.bootstrapServers,
      // The analytics Kafka trigger's own password setting (in Azure a listen-only connection string from Key Vault).
      AnalyticsKafkaConnection: emulator.kafka.connectionString,
      // As Azure and `func start` set it: the app finds its own simulated ticketing provider through it.
      ...(withHost ? { WEBSITE_HOSTNAME: `127.0.0.1:${functionsPort}` } : {}),
      // A host key for the function-level endpoints (/api/ops/...), new on each start as Azure makes its keys;
      // `npm start` prints it. Without one the host refuses them all (401), as Azure would.
      [LOCAL_FUNCTION_KEY_SETTING]: randomBytes(24).toString("base64url"),
      ...options.extraSettings,
    };

    let host: FunctionsHost | undefined;
    if (withHost) {
      host = await startFunctionsHost({
        appDir: options.appDir,
        port: functionsPort,
        clock: emulator.clock,
        env: appSettings,
        createLocalSettings: options.createLocalSettings,
        logLevel: options.logLevel ?? "silent",
        onInvocation: options.onInvocation,
      });
      closers.push(() => host!.close());
      // The emulator's dashboard shows the host's functions and invocations, each filed in its flow.
      const detach = emulator.dashboard?.attachFunctionsHost(host);
      if (detach) closers.push(async () => detach());
    }
    return { azurite: storage, emulator, host, functionsUrl: host?.url ?? functionsUrl, appSettings, close: closeAll };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
