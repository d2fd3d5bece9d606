/**
 * AMQPS: AMQP 1.0 over TLS on its own port (Azure's 5671), for clients that always use TLS — a credential object
 * (AzureNamedKeyCredential, AzureSasCredential, a TokenCredential), a connection string without
 * UseDevelopmentEmulator, or SDK versions that predate that flag (Debian's python3-azure azure-servicebus 7.8).
 * It serves the emulator's certificate (the one the administration API uses, so a user trusts one file) and hands
 * each decrypted socket to the same AMQP server as the plain port, or, when its first byte is not the AMQP header's
 * 'A', to the administration API: the SDKs' admin clients send HTTPS to the Endpoint's host and port, so the TLS
 * connection string works for them too.
 *
 * The certificate is loaded before listening, so a connection never waits for it; node's tls.Server drops a peer whose
 * handshake fails or does not finish within HANDSHAKE_TIMEOUT_MS, costing nothing beyond its own socket.
 */
import type { AddressInfo, Socket } from "node:net";
import tls from "node:tls";
import type { Logger } from "../common/logger.js";
import type { TlsCertificate } from "../common/tls.js";

const HANDSHAKE_TIMEOUT_MS = 10_000;

export class AmqpsListener {
  private server: tls.Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly certificate: () => Promise<TlsCertificate>,
    /** Serves one TLS socket whose handshake is done, as AMQP. */
    private readonly accept: (socket: tls.TLSSocket) => void,
    /** Serves one such socket as HTTP (its first bytes unshifted). */
    private readonly acceptHttp: (socket: tls.TLSSocket) => void,
    private readonly logger: Logger,
  ) {}

  /** Loads the certificate and listens; resolves with the bound port (useful with port 0). */
  async listen(port: number, host: string): Promise<number> {
    const { cert, key } = await this.certificate();
    const options = { cert, key, handshakeTimeout: HANDSHAKE_TIMEOUT_MS };
    const server = tls.createServer(options, (socket) => this.sniff(socket));
    // Raw sockets, from accept to close, so close() can end those still in their handshake too.
    server.on("connection", (socket: Socket) => {
      this.sockets.add(socket);
      socket.once("close", () => this.sockets.delete(socket));
    });
    server.on("tlsClientError", (err) => this.logger.debug("amqps handshake failed", { error: err.message }));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        server.on("error", (err) => this.logger.error("amqps listener error", { error: err.message }));
        resolve((server.address() as AddressInfo).port);
      });
    });
  }

  /** 'A' (the AMQP protocol header) is AMQP; an HTTP method is the administration API. */
  private sniff(socket: tls.TLSSocket): void {
    socket.on("error", () => undefined);
    socket.once("data", (chunk: Buffer) => {
      socket.pause();
      socket.unshift(chunk);
      if (chunk[0] === 0x41) this.accept(socket);
      else this.acceptHttp(socket);
      socket.resume();
    });
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server?.listening) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}
