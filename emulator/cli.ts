#!/usr/bin/env node
/**
 * The emulator's command line (the package's `fest-emulator` bin, compiled; `npm run emulator` in this repository,
 * from the sources): starts every emulated service and prints its endpoints and connection strings, one per line.
 */
import { parseArgs } from "node:util";
import { ConfigError } from "./common/config-file.js";
import { startEmulator } from "./index.js";

// Run from its TypeScript sources it is the repository's `npm run emulator`; compiled, the package's bin.
const command = import.meta.url.endsWith(".ts") ? "npm run emulator --" : "fest-emulator";
const usage = `Usage: ${command} [options]
  --servicebus-config FILE   Service Bus Config.json (official emulator format; default: the sample queue.1, topic.1
                             with subscription.1 to .4 of Microsoft's emulator)
  --servicebus-port N        AMQP port (default 5672; 0 picks a free port)
  --servicebus-amqps-port N  AMQPS (TLS) port, for clients that always use TLS: credential objects, connection strings
                             without UseDevelopmentEmulator (default 5671, as Azure; 0 picks a free port; off: none)
  --http-port N              HTTP port for health, clock and administration (default 5300; 0 picks a free port)
  --eventhubs-config FILE    Event Hubs Config.json (official emulator format; default: the sample event hub eh1)
  --kafka-port N             Kafka endpoint port, SASL_PLAINTEXT (default 9092; 0 picks a free port)
  --kafka-tls-port N         Kafka SASL_SSL port, with the HTTPS certificate (default 9093; 0 picks a free port)
  --table-port N             Table Storage endpoint port, durable with --data-dir (Azurite's is 10002; 0 picks a free
                             port; absent: no Table endpoint)
  --eventgrid-config FILE    Event Grid topics and subscriptions (ARM property names; default: topic-1, no
                             subscription)
  --host ADDRESS             address to bind (default 127.0.0.1)
  --data-dir DIR             keep state on disk (durable mode)
  --certificate-dir DIR      where the TLS certificate of Service Bus AMQPS and administration HTTPS is kept
                             (default ~/.cache/fest-emulator; made on first start, trust it once)
  --log-level LEVEL          silent | error | warn | info | debug (default info)
  --help                     this text`;

/** A port option that can also be turned off ("off"): undefined then. */
function optionalPort(value: string | undefined, name: string, fallback: number): number | undefined {
  return value === "off" ? undefined : port(value, name, fallback);
}

function port(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--${name} must be a port number from 0 to 65535, got "${value}"`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      "servicebus-config": { type: "string" },
      "servicebus-port": { type: "string" },
      "servicebus-amqps-port": { type: "string" },
      "http-port": { type: "string" },
      "eventhubs-config": { type: "string" },
      "kafka-port": { type: "string" },
      "kafka-tls-port": { type: "string" },
      "eventgrid-config": { type: "string" },
      "table-port": { type: "string" },
      host: { type: "string" },
      "data-dir": { type: "string" },
      "certificate-dir": { type: "string" },
      "log-level": { type: "string" },
      help: { type: "boolean" },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const started = performance.now();
  const emulator = await startEmulator({
    servicebusConfig: values["servicebus-config"],
    servicebusPort: port(values["servicebus-port"], "servicebus-port", 5672),
    servicebusAmqpsPort: optionalPort(values["servicebus-amqps-port"], "servicebus-amqps-port", 5671),
    httpPort: port(values["http-port"], "http-port", 5300),
    eventhubsConfig: values["eventhubs-config"],
    kafkaPort: port(values["kafka-port"], "kafka-port", 9092),
    kafkaTlsPort: port(values["kafka-tls-port"], "kafka-tls-port", 9093),
    eventgridConfig: values["eventgrid-config"],
    ...(values["table-port"] === undefined ? {} : { tablePort: port(values["table-port"], "table-port", 10002) }),
    host: values.host,
    dataDir: values["data-dir"],
    certificateDir: values["certificate-dir"],
    logLevel: (values["log-level"] as never) ?? "info",
  });
  const ms = Math.round(performance.now() - started);
  console.log(`Emulator ready in ${ms} ms`);
  console.log(`Health: ${emulator.http.url}/health`);
  if (emulator.dashboard) console.log(`Dashboard (open in a browser): ${emulator.http.url}/`);
  console.log(`Service Bus AMQP port: ${emulator.serviceBus.port}`);
  console.log("Service Bus connection string:");
  console.log(emulator.serviceBus.connectionString);
  if (emulator.serviceBus.amqpsPort !== undefined) {
    const forWhom = "credential objects, SDKs without UseDevelopmentEmulator";
    console.log(`Service Bus AMQPS (TLS) port: ${emulator.serviceBus.amqpsPort} (${forWhom})`);
    console.log("Service Bus TLS connection string (trust the certificate below):");
    console.log(emulator.serviceBus.tlsConnectionString);
  }
  const certificate = await emulator.serviceBus.certificate();
  console.log(`Service Bus administration: https on port ${emulator.serviceBus.port} (same connection string), http on ${emulator.http.url}`);
  const certificateFile = certificate.certPath ?? `${emulator.http.url}/emulator/certificate`;
  console.log(`TLS certificate of HTTPS and AMQPS to trust (e.g. NODE_EXTRA_CA_CERTS=<file>): ${certificateFile}`);
  console.log(`Service Bus explorer: ${emulator.http.url}/emulator/servicebus/entities (npm run sb -- --help)`);
  // Where the key is: the 401 of a guarded endpoint points here.
  console.log("HTTP endpoints that change state (purge, resubmit, reset, clock, webhook) need a SAS token made");
  console.log("with the SharedAccessKey of the connection string above (npm run sb signs itself; README: curl).");
  console.log(`Kafka bootstrap servers (SASL PLAIN, user name $ConnectionString): ${emulator.kafka.bootstrapServers}`);
  const kafkaTls = emulator.kafka.tlsBootstrapServers;
  console.log(`Kafka SASL_SSL bootstrap servers (trust the HTTPS certificate above): ${kafkaTls}`);
  console.log("Event Hubs connection string (Kafka SASL password):");
  console.log(emulator.kafka.connectionString);
  if (emulator.tables) console.log(`Table Storage connection string: ${emulator.tables.connectionString}`);
  for (const topic of emulator.eventGrid.topics) {
    console.log(`Event Grid topic ${topic.name} endpoint: ${topic.endpoint}`);
    console.log(`Event Grid topic ${topic.name} key: ${topic.key}`);
  }

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(`${signal}: shutting down`);
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) console.error(err.message);
  else console.error(`Emulator failed to start: ${(err as Error)?.stack ?? String(err)}`);
  process.exit(1);
});
