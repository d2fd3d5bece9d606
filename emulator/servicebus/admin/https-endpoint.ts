/**
 * HTTPS on the AMQP port: the sniffer hands over sockets that opened with a TLS ClientHello; they are decrypted here
 * and served by the emulator's HTTP router (administration API, explorer, health), so one connection string's
 * `Endpoint` works for both `ServiceBusClient` and `ServiceBusAdministrationClient`. The AMQPS port hands over its
 * decrypted sockets that speak HTTP instead of AMQP, for the same reason (serveDecrypted).
 *
 * The raw socket is wrapped in a JS Duplex before `new tls.TLSSocket(...)`: given a native-handle socket whose first
 * bytes were already read (and unshifted), TLSSocket reads from the handle and the handshake hangs (notes 13.4).
 */
import http from "node:http";
import type net from "node:net";
import { Duplex } from "node:stream";
import tls from "node:tls";
import { defaultHttpLimits, httpServerOptions } from "../../common/http-limits.js";
import type { TlsCertificate } from "../../common/tls.js";

const HANDSHAKE_TIMEOUT_MS = 10_000;

/** A Duplex over a net.Socket: reads what the socket emits (unshifted bytes included), writes through to it. */
export function streamOver(socket: net.Socket): Duplex {
  const duplex = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk: Buffer, _encoding, callback) {
      socket.write(chunk, callback);
    },
    final(callback) {
      socket.end();
      callback();
    },
    destroy(err, callback) {
      socket.destroy();
      callback(err);
    },
  });
  socket.on("data", (chunk: Buffer) => {
    if (!duplex.push(chunk)) socket.pause();
  });
  socket.on("end", () => duplex.push(null));
  socket.on("close", () => duplex.destroy());
  socket.on("error", (err) => duplex.destroy(err));
  return duplex;
}

export class HttpsEndpoint {
  private readonly server: http.Server;
  private context: Promise<tls.SecureContext> | undefined;
  private readonly sockets = new Set<net.Socket>();

  constructor(
    /** Loads (or makes) the certificate; called on the first TLS connection only. */
    private readonly certificate: () => Promise<TlsCertificate>,
    handler: http.RequestListener,
    private readonly onError: (message: string) => void,
  ) {
    this.server = http.createServer(httpServerOptions(defaultHttpLimits), handler);
    this.server.keepAliveTimeout = 5000;
    // This server never listens (sockets are handed to it), and Node checks header and request deadlines only for
    // servers that do: a socket with nothing to read for the headers deadline is dropped instead.
    this.server.timeout = defaultHttpLimits.headersTimeoutMs;
  }

  /** Takes a socket whose first bytes (already unshifted) are a TLS ClientHello. */
  accept(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.once("close", () => this.sockets.delete(socket));
    // Buffer what arrives while the certificate loads: the sniffer resumes the socket as soon as this returns.
    const stream = streamOver(socket);
    this.context ??= this.certificate().then(({ cert, key }) => tls.createSecureContext({ cert, key }));
    this.context.then(
      (secureContext) => {
        if (socket.destroyed) return;
        const secure = new tls.TLSSocket(stream as unknown as net.Socket, { isServer: true, secureContext });
        secure.on("error", () => secure.destroy());
        // A peer that never finishes its handshake is dropped, as tls.Server does (its handshakeTimeout).
        const handshake = setTimeout(() => secure.destroy(), HANDSHAKE_TIMEOUT_MS);
        secure.once("secure", () => clearTimeout(handshake));
        secure.once("close", () => {
          clearTimeout(handshake);
          // Destroying the TLS layer leaves the wrapped stream alone: end the raw socket too.
          socket.destroy();
        });
        this.server.emit("connection", secure);
      },
      (err: Error) => {
        this.context = undefined;
        this.onError(`TLS certificate unavailable: ${err.message}`);
        socket.destroy();
      },
    );
  }

  /**
   * Serves HTTP on a socket already decrypted elsewhere (the AMQPS port, whose first bytes were not AMQP and were
   * unshifted): through a Duplex, so node's HTTP parser reads those bytes instead of the TLS handle's next ones.
   */
  serveDecrypted(socket: tls.TLSSocket): void {
    this.sockets.add(socket);
    socket.once("close", () => this.sockets.delete(socket));
    const stream = streamOver(socket) as Duplex & { encrypted?: boolean };
    // The administration API writes https:// entity ids for encrypted requests, as Azure does.
    stream.encrypted = true;
    this.server.emit("connection", stream);
  }

  close(): void {
    for (const socket of this.sockets) socket.destroy();
    this.server.closeAllConnections();
  }
}
