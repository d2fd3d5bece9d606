/**
 * Wires the administration API and the explorer endpoints to a running Service Bus emulator: plain HTTP on the
 * emulator's HTTP port (requests that carry `api-version` and match no other route), HTTPS on the AMQP port (through
 * the sniffer's onTlsSocket), and the certificate, loaded or made on first use.
 */
import type { EmulatorClock } from "../../common/clock.js";
import type { EmulatorHttpServer } from "../../common/http-server.js";
import type { Logger } from "../../common/logger.js";
import { loadOrCreateCertificate, type StoredCertificate, type TlsCertificate } from "../../common/tls.js";
import type { SasCredentials } from "../cbs.js";
import type { ServiceBusNamespaceConfig } from "../config.js";
import { registerExplorerRoutes } from "../explorer/explorer-routes.js";
import type { Namespace } from "../model/namespace.js";
import { AdminApi } from "./admin-api.js";
import { EntityTimeBook } from "./entity-times.js";
import { HttpsEndpoint } from "./https-endpoint.js";

export interface CertificateOptions {
  /** A ready certificate (tests pass one to skip the disk). */
  tlsCertificate?: TlsCertificate;
  /** Where the generated certificate is kept (default `~/.cache/fest-emulator`). */
  certificateDir?: string;
}

export interface AdministrationOptions extends CertificateOptions {
  namespace: Namespace;
  config: ServiceBusNamespaceConfig;
  clock: EmulatorClock;
  http: EmulatorHttpServer;
  credentials: SasCredentials;
  logger: Logger;
}

export interface Administration {
  /** Give to the AMQP server: TLS sockets on its port. */
  onTlsSocket(socket: import("node:net").Socket): void;
  /** Give to the AMQPS listener: decrypted sockets that speak HTTP. */
  onDecryptedHttp(socket: import("node:tls").TLSSocket): void;
  /** The HTTPS certificate (with the path of its PEM file unless it was passed in). */
  certificate(): Promise<TlsCertificate & { certPath?: string }>;
  close(): void;
}

export function attachAdministration(opts: AdministrationOptions): Administration {
  let certificate: Promise<TlsCertificate | StoredCertificate> | undefined;
  const getCertificate = () => {
    certificate ??= opts.tlsCertificate ? Promise.resolve(opts.tlsCertificate) : loadOrCreateCertificate(opts.certificateDir);
    certificate.catch(() => (certificate = undefined));
    return certificate;
  };
  const times = new EntityTimeBook(() => opts.clock.now());
  const api = new AdminApi({ namespace: opts.namespace, credentials: opts.credentials, times, createdAt: opts.clock.now() });

  opts.http.fallback(async ({ req, res, url }) => {
    if (!url.searchParams.has("api-version")) return false;
    await api.handle(req, res, url);
    return true;
  });
  registerExplorerRoutes(opts.http, { namespace: opts.namespace, config: opts.config, certificate: getCertificate, onReset: () => times.reloaded() });

  const https = new HttpsEndpoint(getCertificate, (req, res) => opts.http.handle(req, res), (message) => opts.logger.warn(message));
  return {
    onTlsSocket: (socket) => https.accept(socket),
    onDecryptedHttp: (socket) => https.serveDecrypted(socket),
    certificate: getCertificate,
    close: () => https.close(),
  };
}
