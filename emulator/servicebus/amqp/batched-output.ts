/**
 * One socket write per turn for a server connection, instead of rhea's one per frame.
 *
 * rhea writes every frame as soon as it is encoded: each transfer, flow and disposition costs a socket write (a
 * syscall and a stream request), a frame buffer that starts at 1 KB zero-filled and doubles, and heartbeat timer
 * churn. Here each frame is encoded at once into the connection's reusable buffer, and frames encoded while rhea
 * processes the connection (its _process turn) go out at the end of it in a single socket write. The bytes on the
 * wire are the same, in the same order.
 */
import type { Socket } from "node:net";
import { amqpTypes } from "./codec.js";

const AMQP_FRAME = 0x00;
/** A connection's buffer that grew past this for one big turn is not kept. */
const KEEP_BUFFER_UP_TO = 1024 * 1024;
const INITIAL_BUFFER = 16 * 1024;

/**
 * Encodes one AMQP frame at the writer's position. Encoded at once, not at flush time: rhea changes some
 * performatives right after queueing them (it clears a close's error).
 */
function encodeFrame(writer: any, channel: number, performative: unknown, payload: Buffer | undefined): void {
  const start = writer.position;
  writer.skip(4); // the size, filled in below
  writer.write_uint(2, 1); // data offset: 2 words, no extended header
  writer.write_uint(AMQP_FRAME, 1);
  writer.write_uint(channel, 2);
  if (performative) {
    writer.write(performative);
    if (payload) writer.write_bytes(payload);
  }
  writer.buffer.writeUInt32BE(writer.position - start, start);
}

/** Makes `connection` (a rhea server connection, before accept) queue frames during a turn and write them once. */
export function batchOutput(connection: any): void {
  const transport = connection.amqp_transport;
  let writer = new amqpTypes.Writer(Buffer.allocUnsafe(INITIAL_BUFFER));
  transport.has_writes_pending = function (): boolean {
    return writer.position > 0 || !this.header_sent;
  };
  transport.write = function (socket: Socket): void {
    // The protocol header ("AMQP", protocol id, version 1.0.0) goes first, once, as rhea's Transport does.
    const header = this.header_sent ? undefined : Buffer.from([0x41, 0x4d, 0x51, 0x50, this.protocol_id, 1, 0, 0]);
    if (header) this.header_sent = { protocol_id: this.protocol_id, major: 1, minor: 0, revision: 0 };
    const length = writer.position;
    if (!header && length === 0) return;
    const out = Buffer.allocUnsafe((header ? header.length : 0) + length);
    const at = header ? header.copy(out, 0) : 0;
    writer.buffer.copy(out, at, 0, length);
    if (writer.buffer.length > KEEP_BUFFER_UP_TO) writer = new amqpTypes.Writer(Buffer.allocUnsafe(INITIAL_BUFFER));
    else writer.position = 0;
    socket.write(out);
  };

  let depth = 0;
  let deferred = false;
  const process = connection._process;
  // Not around input: rhea ends the socket inside input on bad data, after an error close written in a turn.
  connection._process = function (this: any, ...args: unknown[]) {
    depth++;
    try {
      return process.apply(this, args);
    } finally {
      if (--depth === 0 && deferred) {
        deferred = false;
        this.output();
      }
    }
  };
  connection._write_frame = function (channel: number | undefined, performative: unknown, payload: Buffer | undefined): void {
    encodeFrame(writer, channel || 0, performative, payload);
    if (depth > 0) deferred = true;
    else this.output();
  };
}
