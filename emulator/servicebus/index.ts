/**
 * The Service Bus emulator: AMQP 1.0 on one port, with the namespace from the official Config.json format.
 * The unchanged @azure/service-bus SDK connects with `connectionString`.
 */
import type { EmulatorClock } from "../common/clock.js";
import type { EmulatorHttpServer } from "../common/http-server.js";
import type { Logger } from "../common/logger.js";
import type { TlsCertificate } from "../common/tls.js";
import { attachAdministration, type CertificateOptions } from "./admin/index.js";
import type { ServiceBusNamespaceConfig } from "./config.js";
import type { AmqpConnectionLimits } from "./amqp/connection-limits.js";
import { amqpPayloadCodec } from "./amqp/payload-codec.js";
import { DurableStorage } from "./durable/durable-storage.js";
import { mergeTopology } from "./durable/topology.js";
import { Namespace } from "./model/namespace.js";
import { ServiceBusAmqpServer } from "./server.js";

/** The official emulator's well-known key (its connection string uses it verbatim). */
export const SAS_KEY_VALUE = "SAS_KEY_VALUE";
export const SAS_KEY_NAME = "RootManageSharedAccessKey";

export interface ServiceBusService {
  readonly port: number;
  readonly connectionString: string;
  /** Queues, topics and subscriptions with their messages (for tests and the administration API). */
  readonly namespace: Namespace;
  /** The certificate the administration API serves over HTTPS on `port` (made on first use), with its PEM file. */
  certificate(): Promise<TlsCertificate & { certPath?: string }>;
  close(): Promise<void>;
}

export interface StartServiceBusOptions extends CertificateOptions {
  config: ServiceBusNamespaceConfig;
  port: number;
  host: string;
  clock: EmulatorClock;
  http: EmulatorHttpServer;
  logger: Logger;
  /** Durable mode: entities and messages kept under `${dataDir}/servicebus/` and restored on start. */
  dataDir?: string;
  /** Per-connection frame, buffer and time limits; Azure's figures by default. */
  limits?: Partial<AmqpConnectionLimits>;
}

export function connectionStringFor(port: number, host = "localhost"): string {
  return `Endpoint=sb://${host}:${port};SharedAccessKeyName=${SAS_KEY_NAME};SharedAccessKey=${SAS_KEY_VALUE};UseDevelopmentEmulator=true;`;
}

export async function startServiceBus(opts: StartServiceBusOptions): Promise<ServiceBusService> {
  const storage = opts.dataDir ? DurableStorage.open(opts.dataDir, amqpPayloadCodec, opts.logger) : undefined;
  let namespace: Namespace;
  try {
    const topology = storage?.storedTopology ? mergeTopology(storage.storedTopology, opts.config) : opts.config;
    namespace = storage ? Namespace.fromConfig(topology, opts.clock, storage) : Namespace.fromConfig(opts.config, opts.clock);
    storage?.start(namespace);
  } catch (err) {
    storage?.close();
    throw err;
  }
  const credentials = { keyName: SAS_KEY_NAME, key: SAS_KEY_VALUE };
  const admin = attachAdministration({ ...opts, namespace, credentials });
  const server = new ServiceBusAmqpServer({
    namespace,
    credentials,
    logger: opts.logger,
    onTlsSocket: admin.onTlsSocket,
    limits: opts.limits,
  });
  let port: number;
  try {
    port = await server.listen(opts.port, opts.host);
  } catch (err) {
    namespace.close();
    storage?.close();
    throw err;
  }
  opts.logger.info("listening", { port, queues: namespace.queues.size, topics: namespace.topics.size });
  return {
    port,
    connectionString: connectionStringFor(port),
    namespace,
    certificate: admin.certificate,
    async close() {
      admin.close();
      await server.close();
      namespace.close();
      storage?.close();
    },
  };
}
