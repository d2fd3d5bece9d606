/**
 * `npm start`: builds the Functions app and runs the whole system locally, in this process group: Azurite (from
 * npm), the emulator (Service Bus, Event Grid, the Event Hubs Kafka endpoint) and the local Functions host with the
 * app on http://localhost:7071. Schedules two concerts through the API (POST /api/concerts) once the host is up,
 * prints them, every endpoint and connection string, logs each invocation, and shuts everything down on Ctrl-C
 * (SIGINT) or SIGTERM, or when the command that started it is gone. Nothing stays behind if it is killed outright:
 * Azurite and the Functions worker end when their parent does.
 *
 *   --no-host        start Azurite and the emulator only, for `func start` (Core Tools) to run the app
 *   --no-build       skip compiling the app (dist/ is already up to date)
 *   --data-dir DIR   keep emulator and Azurite state under DIR (default: in memory); also MUSICFEST_DATA_DIR
 *   --log-level L    silent | error | warn | info (default) | debug
 * Ports (environment; 0 picks a free port): FUNCTIONS_PORT 7071, SERVICEBUS_PORT 5672, EMULATOR_HTTP_PORT 5300,
 * KAFKA_PORT 9092, AZURITE_BLOB_PORT 10000, AZURITE_QUEUE_PORT 10001, AZURITE_TABLE_PORT 10002.
 */
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { ConfigError } from "../emulator/common/config-file.js";
import type { LogLevel } from "../emulator/common/logger.js";
import { watchCommandAncestors } from "./local-system/ancestor-watch.js";
import { DEFAULT_PORTS, type LocalSystem, type LocalSystemPorts, startLocalSystem } from "./local-system/index.js";
import { LOCAL_FUNCTION_KEY_SETTING } from "./local-system/index.js";
import { describeConcert, type SeededConcert, seedConcerts } from "./local-system/seed-concerts.js";
import { scriptArgs } from "./script-args.js";

const START_USAGE = `Usage: npm start [-- options]
Builds the Functions app and runs the whole system locally: Azurite, the emulator and the Functions host on :7071.
  --no-host        start Azurite and the emulator only, for \`func start\` to run the app
  --no-build       skip compiling the app (dist/ is already up to date)
  --data-dir DIR   keep emulator and Azurite state under DIR (default: in memory); also MUSICFEST_DATA_DIR
  --log-level L    silent | error | warn | info (default) | debug
  --help           this text
Ports (environment; 0 picks a free port): FUNCTIONS_PORT 7071, SERVICEBUS_PORT 5672, EMULATOR_HTTP_PORT 5300,
KAFKA_PORT 9092, AZURITE_BLOB_PORT 10000, AZURITE_QUEUE_PORT 10001, AZURITE_TABLE_PORT 10002.`;

const appDir = fileURLToPath(new URL("../", import.meta.url));

const PORT_VARIABLES: Record<keyof LocalSystemPorts, string> = {
  functions: "FUNCTIONS_PORT",
  serviceBus: "SERVICEBUS_PORT",
  emulatorHttp: "EMULATOR_HTTP_PORT",
  kafka: "KAFKA_PORT",
  blob: "AZURITE_BLOB_PORT",
  queue: "AZURITE_QUEUE_PORT",
  table: "AZURITE_TABLE_PORT",
};

function portsFromEnvironment(env: NodeJS.ProcessEnv): LocalSystemPorts {
  const ports = { ...DEFAULT_PORTS };
  for (const [key, variable] of Object.entries(PORT_VARIABLES) as [keyof LocalSystemPorts, string][]) {
    const raw = env[variable];
    if (raw === undefined || raw === "") continue;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${variable} must be a port number from 0 to 65535, got "${raw}"`);
    ports[key] = n;
  }
  return ports;
}

function buildApp(): void {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  console.log("Building the Functions app (tsc -p tsconfig.app.json -> dist/)...");
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.app.json"], { cwd: appDir, stdio: "inherit" });
}

function printEndpoints(system: LocalSystem, readyMs: number, concerts: SeededConcert[]): void {
  const { azurite, emulator, host, appSettings } = system;
  const lines = [`Music Fest ticketing is running (ready in ${readyMs} ms).`, ""];
  if (host) {
    lines.push(`Functions host: ${host.url}`);
    for (const r of host.routes) lines.push(`  ${r.name}: [${r.methods}] ${r.url}`);
    lines.push(`  function key (x-functions-key header, for /api/ops/...): ${appSettings[LOCAL_FUNCTION_KEY_SETTING]}`);
    for (const f of host.functions.filter((fn) => fn.trigger !== "httpTrigger")) lines.push(`  ${f.name}: ${f.trigger}`);
  } else {
    lines.push(`Functions host: not started (--no-host); run \`func start\` (it listens on ${system.functionsUrl}).`);
  }
  lines.push(
    `Emulator health: ${emulator.http.url}/health`,
    `Emulator dashboard (open in a browser): ${emulator.http.url}/`,
    `Service Bus (AMQP): localhost:${emulator.serviceBus.port}`,
    `  ServiceBusConnection=${appSettings.ServiceBusConnection}`,
  );
  for (const t of emulator.eventGrid.topics) {
    lines.push(`Event Grid topic ${t.name}: ${t.endpoint}`, `  key: ${t.key}`);
  }
  lines.push(
    `Kafka endpoint (Event Hubs): ${emulator.kafka.bootstrapServers}`,
    `  Event Hubs connection string (SASL password): ${emulator.kafka.connectionString}`,
    `Azurite blob: ${azurite.blobEndpoint}`,
    `Azurite queue: ${azurite.queueEndpoint}`,
    `Table Storage (emulator, durable): ${azurite.tableEndpoint}`,
    `  AzureWebJobsStorage=${appSettings.AzureWebJobsStorage}`,
    "",
  );
  if (concerts.length) {
    lines.push("Concerts on sale:", ...concerts.map((c) => `  ${describeConcert(c)}`), "");
    const example = { concertId: concerts[0].concertId, fan: { id: "fan-1", email: "fan-1@example.com" }, tier: "standard", quantity: 2 };
    lines.push(`Buy tickets: curl -i -X POST ${system.functionsUrl}/api/purchases -H 'content-type: application/json' -d '${JSON.stringify(example)}'`, "");
  }
  lines.push("Press Ctrl-C to stop.");
  console.log(lines.join("\n"));
}

async function main(): Promise<void> {
  const { values } = scriptArgs({
    usage: START_USAGE,
    options: {
      "no-host": { type: "boolean" },
      "no-build": { type: "boolean" },
      "data-dir": { type: "string" },
      "log-level": { type: "string" },
    },
  });
  const logLevel = (values["log-level"] ?? "info") as LogLevel;
  if (!["silent", "error", "warn", "info", "debug"].includes(logLevel)) throw new Error(`--log-level must be silent, error, warn, info or debug, got "${logLevel}"`);
  const withHost = !values["no-host"];
  const ports = portsFromEnvironment(process.env);
  if (!values["no-build"]) buildApp();

  const started = performance.now();
  let stopping = false;
  const starting = startLocalSystem({
    appDir,
    ports,
    dataDir: values["data-dir"] ?? process.env.MUSICFEST_DATA_DIR ?? undefined,
    logLevel,
    functionsHost: withHost,
    createLocalSettings: true,
  });
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down...`);
    // A signal during start-up waits for the parts already starting, then closes them all.
    const done = starting.then(
      (system) => system?.close(),
      () => undefined,
    );
    done.then(
      () => {
        console.log("Stopped.");
        process.exit(0);
      },
      (err: unknown) => {
        console.error(`Shutdown failed: ${(err as Error)?.message ?? String(err)}`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  // Killed from above (npm, its shell or tsx gone, even by SIGKILL): shut down as on Ctrl-C rather than run on as an
  // orphan holding every port. Our own children follow us in any case (the worker's IPC channel, Azurite's stdin).
  watchCommandAncestors((pid) => stop(`The process that started npm start (pid ${pid}) exited`));

  const system = await starting;
  if (stopping) return;
  // With the host up, two concerts are scheduled through the API (with --no-host, `func start` serves it later).
  const concerts = system.host ? await seedConcerts(system.functionsUrl) : [];
  if (stopping) return;
  printEndpoints(system, Math.round(performance.now() - started), concerts);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) console.error(err.message);
  else console.error(`npm start failed: ${(err as Error)?.stack ?? String(err)}`);
  process.exit(1);
});
