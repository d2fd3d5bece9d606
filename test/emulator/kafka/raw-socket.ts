/** A bare TCP client for the Kafka endpoint: hand-built frames, to test what kafkajs never sends. */
import { connect, type Socket } from "node:net";

export function frame(apiKey: number, apiVersion: number, correlationId: number, body: Buffer = Buffer.alloc(0), clientId = "raw"): Buffer {
  const id = Buffer.from(clientId);
  const header = Buffer.alloc(10 + id.length);
  header.writeInt16BE(apiKey, 0);
  header.writeInt16BE(apiVersion, 2);
  header.writeInt32BE(correlationId, 4);
  header.writeInt16BE(id.length, 8);
  id.copy(header, 10);
  const size = Buffer.alloc(4);
  size.writeInt32BE(header.length + body.length);
  return Buffer.concat([size, header, body]);
}

export interface RawConnection {
  socket: Socket;
  /** Every byte received so far. */
  received(): Buffer;
  /** Resolves when the server closes the connection; rejects after `timeoutMs`. */
  closed(timeoutMs?: number): Promise<void>;
  /** Resolves with the next complete response frame (correlation id and body). */
  response(timeoutMs?: number): Promise<{ correlationId: number; body: Buffer }>;
  /** Resolves with the next size-prefixed packet without a response header (the raw SASL exchange after v0). */
  rawPacket(timeoutMs?: number): Promise<Buffer>;
}

export function rawConnect(port: number): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let data = Buffer.alloc(0);
    let consumed = 0;
    let isClosed = false;
    socket.on("data", (d) => (data = Buffer.concat([data, d])));
    socket.on("close", () => (isClosed = true));
    socket.on("error", () => undefined);
    const waitFor = async (check: () => boolean, what: string, timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      while (!check()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    socket.once("connect", () =>
      resolve({
        socket,
        received: () => data,
        closed: (timeoutMs = 2000) => waitFor(() => isClosed, "the server to close the connection", timeoutMs),
        async response(timeoutMs = 2000) {
          await waitFor(() => data.length - consumed >= 4 && data.length - consumed >= 4 + data.readInt32BE(consumed), "a response frame", timeoutMs);
          const size = data.readInt32BE(consumed);
          const correlationId = data.readInt32BE(consumed + 4);
          const body = data.subarray(consumed + 8, consumed + 4 + size);
          consumed += 4 + size;
          return { correlationId, body };
        },
        async rawPacket(timeoutMs = 2000) {
          const left = () => data.length - consumed;
          const complete = () => left() >= 4 && left() >= 4 + data.readInt32BE(consumed);
          await waitFor(complete, "a raw packet", timeoutMs);
          const size = data.readInt32BE(consumed);
          const packet = data.subarray(consumed + 4, consumed + 4 + size);
          consumed += 4 + size;
          return packet;
        },
      }),
    );
    socket.once("error", reject);
  });
}

/** Connects and logs in with SaslHandshake v1 and SaslAuthenticate v1 (PLAIN, `$ConnectionString`). */
export async function rawLogin(port: number, connectionString: string): Promise<RawConnection> {
  const conn = await rawConnect(port);
  const mechanism = Buffer.from("PLAIN");
  const handshake = Buffer.alloc(2 + mechanism.length);
  handshake.writeInt16BE(mechanism.length, 0);
  mechanism.copy(handshake, 2);
  conn.socket.write(frame(17, 1, 1, handshake));
  await conn.response();
  const token = Buffer.from(`\0$ConnectionString\0${connectionString}`);
  const auth = Buffer.alloc(4);
  auth.writeInt32BE(token.length);
  conn.socket.write(frame(36, 1, 2, Buffer.concat([auth, token])));
  const answer = await conn.response();
  if (answer.body.readInt16BE(0) !== 0) throw new Error("SASL login refused");
  return conn;
}
