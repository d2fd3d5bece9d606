/**
 * The Kafka listener: TCP (SASL_PLAINTEXT, as the official emulator on 9092) or TLS (SASL_SSL, as Azure on 9093).
 * Each accepted socket becomes a KafkaConnection sharing one broker state.
 */
import { createServer as createTcpServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer, type TlsOptions } from "node:tls";
import { KafkaConnection } from "./connection.js";
import type { KafkaConnectionLimits } from "./connection-limits.js";
import type { BrokerState } from "./protocol/types.js";

export class KafkaServer {
  private readonly server: Server;
  private readonly connections = new Set<KafkaConnection>();
  private nextId = 1;
  private port = 0;

  constructor(
    private readonly broker: BrokerState,
    private readonly maxFrameBytes: number,
    private readonly limits: KafkaConnectionLimits,
    tls?: TlsOptions,
  ) {
    const accept = (socket: Socket) => this.accept(socket);
    this.server = tls ? createTlsServer(tls, accept) : createTcpServer(accept);
    this.server.on("error", (err) => broker.logger.error("Kafka listener error", { err: err.message }));
  }

  private accept(socket: Socket): void {
    const conn = new KafkaConnection(this.nextId++, socket, this.broker, this.maxFrameBytes, this.port, this.limits);
    this.connections.add(conn);
    socket.on("close", () => this.connections.delete(conn));
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once("error", onError);
      this.server.listen(port, host, () => {
        this.server.off("error", onError);
        const addr = this.server.address();
        this.port = typeof addr === "object" && addr ? addr.port : port;
        resolve(this.port);
      });
    });
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const c of this.connections) c.destroy();
      this.connections.clear();
    });
  }
}
