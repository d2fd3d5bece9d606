/**
 * The Service Bus emulator: AMQP 1.0 on one port (with the administration API's HTTPS beside it), AMQPS (TLS) on a
 * second one when asked, and the namespace from the official Config.json format. The unchanged @azure/service-bus
 * SDK connects with `connectionString`; clients that always use TLS connect with `tlsConnectionString`.
 */
import type { EmulatorClock } from "../common/clock.js";
import type { EmulatorHttpServer } from "../common/http-server.js";
import type { Logger } from "../common/logger.js";
import type { ServiceBusEnqueuer } from "../common/service-bus-enqueuer.js";
import type { TlsCertificate } from "../common/tls.js";
import { attachAdministration, type CertificateOptions } from "./admin/index.js";
import type { ServiceBusNamespaceConfig } from "./config.js";
import type { AmqpConnectionLimits } from "./amqp/connection-limits.js";
import { amqpPayloadCodec } from "./amqp/payload-codec.js";
import { DurableStorage } from "./durable/durable-storage.js";
import { mergeTopology } from "./durable/topology.js";
import { Namespace } from "./model/namespace.js";
import { AmqpsListener } from "./amqps-listener.js";
import { enqueuerFor } from "./enqueue.js";
import { ServiceBusAmqpServer } from "./server.js";

/** The official emulator's well-known key (its connection string uses it verbatim). */
export const SAS_KEY_VALUE = "SAS_KEY_VALUE";
export const SAS_KEY_NAME = "RootManageSharedAccessKey";

/** The service; as a ServiceBusEnqueuer it takes messages from the other emulated services (Event Grid). */
export interface ServiceBusService extends ServiceBusEnqueuer {
  readonly port: number;
  readonly connectionString: string;
  /** The AMQPS (TLS) port, when one was asked for. */
  readonly amqpsPort?: number;
  /** For clients that always use TLS: no UseDevelopmentEmulator, Endpoint on the AMQPS port. */
  readonly tlsConnectionString?: string;
  /** Queues, topics and subscriptions with their messages (for tests and the administration API). */
  readonly namespace: Namespace;
  /** The certificate of HTTPS on `port` and of AMQPS (made on first use), with its PEM file. */
  certificate(): Promise<TlsCertificate & { certPath?: string }>;
  close(): Promise<void>;
}

export interface StartServiceBusOptions extends CertificateOptions {
  config: ServiceBusNamespaceConfig;
  port: number;
  /** AMQPS (TLS) port, Azure's is 5671; 0 picks a free one. No AMQPS when absent. */
  amqpsPort?: number;
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

/** A connection string without UseDevelopmentEmulator: the SDKs then use TLS, as against Azure. */
export function tlsConnectionStringFor(port: number, host = "localhost"): string {
  return `Endpoint=sb://${host}:${port};SharedAccessKeyName=${SAS_KEY_NAME};SharedAccessKey=${SAS_KEY_VALUE};`;
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
  const serveAmqp = (socket: import("node:net").Socket) => server.accept(socket);
  const amqps =
    opts.amqpsPort === undefined
      ? undefined
      : new AmqpsListener(admin.certificate, serveAmqp, admin.onDecryptedHttp, opts.logger);
  let port: number;
  let amqpsPort: number | undefined;
  try {
    port = await server.listen(opts.port, opts.host);
    if (amqps) amqpsPort = await amqps.listen(opts.amqpsPort!, opts.host);
  } catch (err) {
    admin.close();
    await server.close();
    namespace.close();
    storage?.close();
    throw err;
  }
  opts.logger.info("listening", { port, amqpsPort, queues: namespace.queues.size, topics: namespace.topics.size });
  return {
    port,
    connectionString: connectionStringFor(port),
    amqpsPort,
    tlsConnectionString: amqpsPort === undefined ? undefined : tlsConnectionStringFor(amqpsPort),
    namespace,
    enqueue: enqueuerFor(namespace).enqueue,
    certificate: admin.certificate,
    async close() {
      admin.close();
      await amqps?.close();
      await server.close();
      namespace.close();
      storage?.close();
    },
  };
}
