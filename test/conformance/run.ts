/**
 * `npm run conformance`: starts the emulator in-process on free ports, runs the official clients of other languages
 * against it (clients.ts), and prints the client x feature matrix as Markdown, writing it as JSON to
 * .ci-out/conformance.json. Exits 1 if any cell fails; missing tools are "skipped" cells, so the suite also runs on a
 * machine without .NET or the Debian packages. Not part of `npm test` (these files are not *.test.ts).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { startEmulator, type Emulator } from "../../emulator/index.js";
import { lastLine, runChild } from "./child.js";
import { conformanceDir, debianClients, dotnetClients, type ClientSpec } from "./clients.js";
import { buildDotnet } from "./dotnet-build.js";
import { cellsOf, parseResultLine, renderMarkdown, type Cell } from "./matrix.js";
import { entities, eventGridConfig, eventHubsConfig, serviceBusConfig } from "./topology.js";
import { scriptArgs } from "../../scripts/script-args.js";

scriptArgs({
  usage: `Usage: npm run conformance
Starts the emulator on free ports and drives it with other languages' official clients (.NET Azure SDKs and
Confluent.Kafka; Debian's qpid-proton, kcat, kafka-python, confluent-kafka, azure-servicebus, azure-eventgrid), then
prints the client x feature matrix and writes .ci-out/conformance.json; exits 1 if any cell fails. A client that is
not installed gives "skipped" cells.
Environment: CONFORMANCE_ONLY=<text> runs only the clients whose name contains it; CONFORMANCE_VERBOSE=1 shows
the clients' stderr.
  --help   this text`,
  options: {},
});

const repoRoot = join(conformanceDir, "..", "..");
const outputFile = join(repoRoot, ".ci-out", "conformance.json");

/** What every client reads from its environment: endpoints, connection strings, and its entity names. */
function clientEnvironment(emulator: Emulator, caCertPath: string | undefined): NodeJS.ProcessEnv {
  const sb = emulator.serviceBus;
  const adminConnectionString = sb.connectionString.replace(`:${sb.port};`, `:${emulator.http.port};`);
  const tls = tlsEndpointsOf(emulator);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DOTNET_CLI_TELEMETRY_OPTOUT: "1",
    DOTNET_NOLOGO: "1",
    // No __pycache__ in the source tree.
    PYTHONDONTWRITEBYTECODE: "1",
    EMULATOR_HTTP_URL: emulator.http.url,
    SERVICEBUS_CONNECTION_STRING: sb.connectionString,
    SERVICEBUS_ADMIN_CONNECTION_STRING: adminConnectionString,
    SERVICEBUS_HOST: "localhost",
    SERVICEBUS_PORT: String(sb.port),
    SERVICEBUS_AMQPS_PORT: String(tls.serviceBus.amqpsPort ?? ""),
    SERVICEBUS_TLS_CONNECTION_STRING: tls.serviceBus.tlsConnectionString ?? "",
    SERVICEBUS_CA_CERT: caCertPath ?? "",
    KAFKA_BOOTSTRAP_SERVERS: emulator.kafka.bootstrapServers,
    KAFKA_TLS_BOOTSTRAP_SERVERS: tls.kafka.tlsBootstrapServers ?? "",
    EVENTHUBS_CONNECTION_STRING: emulator.kafka.connectionString,
  };
  // dotnetQueue -> CONF_DOTNET_QUEUE
  for (const [key, value] of Object.entries(entities)) {
    env[`CONF_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`] = value;
  }
  for (const topic of emulator.eventGrid.topics) {
    const name = topic.name.toUpperCase().replace(/-/g, "_");
    env[`EG_${name}_ENDPOINT`] = topic.endpoint;
    env[`EG_${name}_KEY`] = topic.key;
  }
  return env;
}

/**
 * The TLS listeners (Service Bus AMQPS, Kafka SASL_SSL), read loosely: an emulator build without them still runs
 * the suite, and the clients that need them report "no listener" cells.
 */
interface TlsEndpoints {
  serviceBus: { amqpsPort?: number; tlsConnectionString?: string };
  kafka: { tlsBootstrapServers?: string };
}

function tlsEndpointsOf(emulator: Emulator): TlsEndpoints {
  return emulator as unknown as TlsEndpoints;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

/** CONFORMANCE_ONLY=<text> runs only the clients whose name contains it (case-insensitive), for working on one. */
function selected(spec: ClientSpec): boolean {
  const only = process.env.CONFORMANCE_ONLY?.toLowerCase();
  return !only || spec.name.toLowerCase().includes(only);
}

/** The same cell for every feature of a client that did not run. */
function cellsForAll(spec: ClientSpec, status: "skipped" | "fail", error: string): Cell[] {
  return spec.features.map((feature) => ({ client: spec.name, feature, status, error }));
}

async function runClient(spec: ClientSpec, env: NodeJS.ProcessEnv, command = spec.command, args = spec.args) {
  const skipped = spec.unavailable();
  if (skipped) return cellsForAll(spec, "skipped", skipped);
  const started = performance.now();
  const result = await runChild(command, args, { env, cwd: conformanceDir, timeoutMs: spec.timeoutMs });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const exit = `exit ${result.code}${result.timedOut ? ", timed out" : ""}`;
  process.stderr.write(`conformance: ${spec.name} finished in ${seconds} s (${exit})\n`);
  if (process.env.CONFORMANCE_VERBOSE) process.stderr.write(result.stderr);
  const reported = result.stdout.split("\n").map(parseResultLine).filter((c): c is Cell => c !== undefined);
  const why = result.timedOut
    ? `no result: the client was killed after ${spec.timeoutMs / 1000} s (hung)`
    : result.code === 0
      ? "not reached: a feature it depends on failed first"
      : `no result: the client exited with code ${result.code}: ${lastLine(result.stderr) || "(no stderr)"}`;
  return cellsOf(spec.name, spec.features, reported, why);
}

async function main(): Promise<number> {
  // The TLS ports are options of newer emulator builds; passed as a variable, older builds simply ignore them.
  // AMQPS goes on Azure's 5671 when it is free: Python's azure-servicebus 7.8 connects nowhere else.
  const tlsPorts = { servicebusAmqpsPort: (await portIsFree(5671)) ? 5671 : 0, kafkaTlsPort: 0 };
  const emulator = await startEmulator({
    ...tlsPorts,
    servicebusPort: 0,
    httpPort: 0,
    kafkaPort: 0,
    servicebusConfig: serviceBusConfig,
    eventhubsConfig: eventHubsConfig,
    eventgridConfig: eventGridConfig,
    certificateDir: join(repoRoot, ".conformance-cache", "certificate"),
    logLevel: process.env.CONFORMANCE_VERBOSE ? "info" : "silent",
  });
  const cells: Cell[] = [];
  try {
    const certificate = await emulator.serviceBus.certificate();
    const env = clientEnvironment(emulator, certificate.certPath);
    // The .NET build (restore included) takes the longest; it runs while the Debian clients do.
    const dotnets = dotnetClients.filter(selected);
    const dotnetBuild = dotnets.length === 0 || dotnets[0].unavailable() ? undefined : buildDotnet(env);
    for (const spec of debianClients.filter(selected)) cells.push(...(await runClient(spec, env)));
    const build = await dotnetBuild;
    for (const spec of dotnets) {
      if (build && !build.ok) {
        cells.push(...cellsForAll(spec, "fail", `dotnet build failed: ${build.error}`));
        continue;
      }
      cells.push(...(await runClient(spec, env, "dotnet", build?.ok ? [build.dll, ...spec.args] : spec.args)));
    }
  } finally {
    await emulator.close();
  }
  mkdirSync(join(repoRoot, ".ci-out"), { recursive: true });
  writeFileSync(outputFile, `${JSON.stringify({ generatedAt: new Date().toISOString(), cells }, null, 2)}\n`);
  console.log(renderMarkdown(cells));
  console.log(`\nJSON: ${outputFile}`);
  return cells.some((c) => c.status === "fail") ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`conformance: ${(err as Error)?.stack ?? String(err)}`);
    process.exit(1);
  },
);
