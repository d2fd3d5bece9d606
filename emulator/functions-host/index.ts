/**
 * startFunctionsHost(): runs an Azure Functions v4 Node.js app folder unchanged, without Core Tools. The app runs
 * in a worker process with its settings as environment and the `@azure/functions-core` stand-in; this process
 * owns the listeners (HTTP on 7071 by default, the Event Grid webhook, timers on the emulator clock) and invokes
 * functions through the library's own InvocationModel in the worker.
 */
import path from "node:path";
import { EmulatorClock, type Clock } from "../common/clock.js";
import { EmulatorHttpServer } from "../common/http-server.js";
import { createLogger, type Logger, type LogLevel } from "../common/logger.js";
import { registerAdminRoutes } from "./admin-routes.js";
import { resolveEntryFiles } from "./app-entry.js";
import { describeFunctions, type HostedFunction } from "./function-registry.js";
import { loadHostSettings } from "./host-settings.js";
import { Invoker, type InvocationListener, type InvocationRecord } from "./invoker.js";
import { KafkaClients } from "./kafka-clients.js";
import { OutputBindings } from "./outputs/output-bindings.js";
import { ServiceBusClients } from "./service-bus-clients.js";
import { serviceBusHostOptions } from "./service-bus-options.js";
import { HeldMessages } from "./settlement/held-messages.js";
import { SettlementServer } from "./settlement/settlement-server.js";
import { EventGridTrigger } from "./triggers/event-grid-trigger.js";
import { FunctionKeys } from "./triggers/http-keys.js";
import { writeEmpty } from "./triggers/http-response.js";
import { HttpTrigger } from "./triggers/http-trigger.js";
import { KafkaTrigger, kafkaHostOptions } from "./triggers/kafka-trigger.js";
import { ServiceBusTrigger } from "./triggers/service-bus-trigger.js";
import { TimerTrigger } from "./triggers/timer-trigger.js";
import { WorkerProcess } from "./worker-process.js";
import type { RpcLogLevel } from "./rpc-types.js";

export type { InvocationRecord, InvocationListener };
export { FunctionInvocationError } from "./worker-process.js";

export const DEFAULT_FUNCTIONS_PORT = 7071;

const WORKER_LOG_LEVEL: Record<LogLevel, RpcLogLevel> = { silent: "none", error: "error", warn: "warning", info: "information", debug: "trace" };

export interface FunctionsHostOptions {
  /** The app folder: host.json, local.settings.json, package.json (`main`). */
  appDir: string;
  /** HTTP port; 0 picks a free one. Default: local.settings.json Host.LocalHttpPort, else 7071. */
  port?: number;
  /** Address to bind; default 127.0.0.1. */
  host?: string;
  /** App settings that override local.settings.json Values and the process environment. */
  env?: Record<string, string>;
  /** The emulator clock timers run on (shared with the emulator services when started together). */
  clock?: Clock;
  logger?: Logger;
  logLevel?: LogLevel;
  /** Create local.settings.json from local.settings.example.json when missing (npm start does; tests don't). */
  createLocalSettings?: boolean;
  /** Called after every invocation with its function, trigger, duration, outcome and invocation id. */
  onInvocation?: InvocationListener;
}

export interface FunctionsHost {
  readonly url: string;
  readonly port: number;
  /** Registered functions with their trigger type and, for HTTP, their routes. */
  readonly functions: { name: string; trigger: string; disabled: boolean }[];
  readonly routes: { name: string; methods: string; url: string }[];
  /** True when the app called app.setup({ enableHttpStream: true }) and requests stream through its proxy. */
  readonly httpStreaming: boolean;
  onInvocation(listener: InvocationListener): () => void;
  close(): Promise<void>;
}

const SUPPORTED_TRIGGERS = new Set(["httptrigger", "timertrigger", "eventgridtrigger", "servicebustrigger", "kafkatrigger"]);

export async function startFunctionsHost(options: FunctionsHostOptions): Promise<FunctionsHost> {
  const appDir = path.resolve(options.appDir);
  const logger = options.logger ?? createLogger(options.logLevel ?? "silent", "functions");
  const clock = options.clock ?? new EmulatorClock();
  const settings = loadHostSettings(appDir, { env: options.env, createLocalSettings: options.createLocalSettings });
  const entryFiles = resolveEntryFiles(appDir);

  // Without a logger of the caller's, the host knows its level and the worker need not send logs it would drop.
  const workerLogLevel = options.logger ? "trace" : WORKER_LOG_LEVEL[options.logLevel ?? "silent"];
  const clockOffsetMs = clock instanceof EmulatorClock ? clock.offset : 0;
  // The settlement service runs before the worker starts, since the worker's command line carries its address.
  const heldMessages = new HeldMessages();
  const settlement = await SettlementServer.start(heldMessages, logger.child("settlement"));
  const worker = await WorkerProcess.start({
    args: settlement.workerArgs(),
    appDir,
    entryFiles,
    env: settings.env,
    logger: logger.child("worker"),
    logLevel: workerLogLevel,
    clockOffsetMs,
  }).catch(async (err: unknown) => {
    await settlement.close();
    throw err;
  });
  // One clock: when the emulator's clock moves, the app's `now` moves with it.
  const stopFollowingClock =
    clock instanceof EmulatorClock ? clock.onMove((offset) => worker.setClockOffset(offset)) : () => undefined;
  // Kestrel's KeepAliveTimeout (130 s), as the Functions host serves HTTP. With Node's 5 s, a client that reused a
  // connection the moment the host's idle timer closed it got ECONNRESET for its POST: 2 fans in 20,000 in the
  // flash-sale bench, whose load varies enough to leave sockets idle for seconds.
  const server = new EmulatorHttpServer({}, 130_000);
  const serviceBusClients = new ServiceBusClients();
  const kafkaClients = new KafkaClients(logger.child("kafka"));
  let timers: TimerTrigger | undefined;
  let serviceBus: ServiceBusTrigger | undefined;
  let kafka: KafkaTrigger | undefined;
  let running = false;
  try {
    const functions: HostedFunction[] = describeFunctions(worker.functions, settings.env);
    const invoker = new Invoker(worker, logger, new OutputBindings(settings.env, serviceBusClients, kafkaClients, logger));
    if (options.onInvocation) invoker.onInvocation(options.onInvocation);
    const keys = new FunctionKeys(settings.env);
    for (const fn of functions) {
      if (!SUPPORTED_TRIGGERS.has(fn.trigger.type.toLowerCase())) {
        logger.warn(`No listener for the trigger "${fn.trigger.type}" of function "${fn.name}" yet; it runs only through POST /admin/functions/${fn.name}.`);
      }
    }

    const http = new HttpTrigger({ functions, routePrefix: settings.routePrefix, keys, invoker, logger, httpUri: () => worker.capabilities.HttpUri });
    const eventGrid = new EventGridTrigger(functions, keys, invoker, clock);
    timers = new TimerTrigger(functions, settings.env, clock, invoker, logger);
    const sbOptions = serviceBusHostOptions(settings.hostJson.extensions?.serviceBus as Record<string, unknown> | undefined);
    serviceBus = new ServiceBusTrigger(
      functions,
      settings.env,
      sbOptions,
      serviceBusClients,
      invoker,
      clock,
      logger,
      heldMessages,
    );
    const kafkaOptions = kafkaHostOptions(settings.hostJson.extensions?.kafka as Record<string, unknown> | undefined);
    kafka = new KafkaTrigger(functions, settings.env, kafkaOptions, kafkaClients, invoker, clock, logger);

    server.route("POST", "/runtime/webhooks/eventgrid", ({ req, res, url }) => eventGrid.handle(req, res, url));
    server.route("OPTIONS", "/runtime/webhooks/eventgrid", ({ req, res, url }) => eventGrid.handle(req, res, url));
    registerAdminRoutes(server, { functions, keys, invoker, timers, clock, logger, isRunning: () => running });
    server.route("*", "/*", async ({ req, res, url }) => {
      if (!(await http.handle(req, res, url))) {
        req.resume();
        writeEmpty(res, 404);
      }
    });

    const bindHost = options.host ?? "127.0.0.1";
    const port = await server.listen(options.port ?? settings.localHttpPort ?? DEFAULT_FUNCTIONS_PORT, bindHost);
    const displayHost = bindHost === "0.0.0.0" || bindHost === "::" ? "localhost" : bindHost;
    const url = `http://${displayHost}:${port}`;
    running = true;
    timers.start();
    serviceBus.start();
    await kafka.start();
    const routes = http.describe(url);
    for (const r of routes) logger.info(`${r.name}: [${r.methods}] ${r.url}`);

    return {
      url,
      port,
      functions: functions.map((f) => ({ name: f.name, trigger: f.trigger.type, disabled: f.disabled })),
      routes,
      httpStreaming: worker.capabilities.HttpUri !== undefined,
      onInvocation: (listener) => invoker.onInvocation(listener),
      async close() {
        running = false;
        stopFollowingClock();
        timers?.close();
        await Promise.all([serviceBus?.close(), kafka?.close()]);
        await server.close();
        await Promise.all([serviceBusClients.close(), kafkaClients.close()]);
        await worker.close();
        await settlement.close();
      },
    };
  } catch (err) {
    stopFollowingClock();
    timers?.close();
    await serviceBus?.close().catch(() => undefined);
    await kafka?.close().catch(() => undefined);
    await serviceBusClients.close();
    await kafkaClients.close();
    await server.close().catch(() => undefined);
    await worker.close().catch(() => undefined);
    await settlement.close();
    throw err;
  }
}
