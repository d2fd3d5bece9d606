/**
 * Frame and connection limits on the AMQP port: a peer that announces a huge frame, never authenticates, falls
 * silent or never finishes a transfer loses its own connection, with the AMQP close error, and the emulator does
 * not hold the bytes it was sent. Raw sockets say what an SDK never would; the SDK shows nothing legitimate is cut.
 */
import { createRequire } from "node:module";
import net from "node:net";
import rhea from "rhea";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../../../emulator/index.js";
import { SAS_KEY_NAME } from "../../../emulator/servicebus/index.js";
import { rawAmqpConnection, serviceBusClient, serviceBusConfig } from "../../helpers/servicebus.js";
import { startEmulator } from "../../../emulator/index.js";

/** rhea's frame codec (untyped internals): builds the raw peers' frames and reads what the emulator sent back. */
const rheaFrames = createRequire(import.meta.url)("rhea/lib/frames.js");
const openFrame = (containerId: string): Buffer =>
  rheaFrames.write_frame(rheaFrames.amqp_frame(0, rheaFrames.open({ container_id: containerId })));
const AMQP_HEADER = Buffer.from("AMQP\x00\x01\x00\x00", "latin1");
const OPEN = openFrame("raw");
const CLOSE_CODE = 0x18;
const IDLE_MS = 200;
const AUTH_MS = 800;
const BUFFERED = 4 * 1024 * 1024;
const LINKLESS_MS = 1500;

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({
    servicebusConfig: serviceBusConfig([
      { Name: "q1", Properties: { MaxMessageSizeInKilobytes: 102400 } },
      { Name: "sdk", Properties: { MaxMessageSizeInKilobytes: 102400 } },
    ]),
    servicebusPort: 0,
    httpPort: 0,
    kafkaPort: 0,
    limits: {
      amqp: {
        idleTimeoutMs: IDLE_MS,
        authTimeoutMs: AUTH_MS,
        maxBufferedBytes: BUFFERED,
        linklessTimeoutMs: LINKLESS_MS,
      },
    },
  });
});
afterAll(async () => {
  await emulator?.close();
});

interface RawPeer {
  socket: net.Socket;
  closed: Promise<Buffer>;
  /** Writes `total` junk bytes in 1 MB pieces (one buffer reused), stopping when the server closes the socket. */
  junk(total: number): Promise<void>;
}

function rawPeer(first: Buffer): Promise<RawPeer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(emulator.serviceBus.port, "127.0.0.1");
    const received: Buffer[] = [];
    socket.on("data", (d) => received.push(d));
    socket.on("error", () => undefined);
    const closed = new Promise<Buffer>((done) => socket.on("close", () => done(Buffer.concat(received))));
    const piece = Buffer.alloc(1024 * 1024, 0x41);
    const junk = async (total: number) => {
      for (let sent = 0; sent < total && !socket.destroyed && socket.writable; sent += piece.length) {
        await new Promise<void>((done) => socket.write(piece, () => done()));
      }
    };
    socket.once("connect", () => {
      socket.write(first);
      resolve({ socket, closed, junk });
    });
    socket.once("error", reject);
  });
}

/** The AMQP frames in what the server sent (after its 8-byte protocol header): descriptor code and performative. */
function framesIn(bytes: Buffer): { code: number; performative: any }[] {
  const out: { code: number; performative: any }[] = [];
  let at = 8;
  while (at + 8 <= bytes.length) {
    const size = bytes.readUInt32BE(at);
    const frame = bytes.subarray(at, at + size);
    if (size > 8) {
      const performative = JSON.parse(JSON.stringify(rheaFrames.read_frame(frame).performative));
      out.push({ code: frame[frame[4] * 4 + 2], performative });
    }
    at += size;
  }
  return out;
}

function closeErrorIn(bytes: Buffer): { condition: string; description: string } | undefined {
  return framesIn(bytes).find((f) => f.code === CLOSE_CODE)?.performative.error;
}

function connectionError(connection: any): Promise<{ condition: string; description: string }> {
  return new Promise((resolve) => connection.once("connection_error", (c: any) => resolve(c.connection.error)));
}

/** Off-heap bytes (socket buffers) of this process, where both the test's peer and the emulator run. */
async function bufferBytes(): Promise<number> {
  (globalThis as any).gc?.();
  await new Promise((r) => setImmediate(r));
  return process.memoryUsage().arrayBuffers;
}

describe("AMQP frame and connection limits", () => {
  it("closes with framing-error a frame over 512 bytes before open, not buffering the 4 GB it announces", async () => {
    const before = await bufferBytes();
    const peer = await rawPeer(Buffer.concat([AMQP_HEADER, Buffer.from([0xf0, 0, 0, 0, 2, 0, 0, 0])]));
    await peer.junk(32 * 1024 * 1024);
    const grown = (await bufferBytes()) - before;
    const answer = await peer.closed;
    expect(answer.subarray(0, 8)).toEqual(AMQP_HEADER);
    const error = closeErrorIn(answer);
    expect(error?.condition).toBe("amqp:connection:framing-error");
    expect(error?.description).toMatch(/4026531840 bytes exceeds the 512-byte limit before open/);
    expect(grown).toBeLessThan(8 * 1024 * 1024);
  });

  it("takes an open of exactly 512 bytes, and closes one of 513", async () => {
    const sized = (n: number) => openFrame("x".repeat(n - openFrame("").length + (n > 260 ? -3 : 0)));
    expect(sized(512).length).toBe(512);
    const fits = await rawPeer(Buffer.concat([AMQP_HEADER, sized(512)]));
    const answered = await fits.closed;
    expect(framesIn(answered).map((f) => f.code)).toEqual([0x10, CLOSE_CODE]);
    expect(closeErrorIn(answered)?.condition).toBe("amqp:resource-limit-exceeded");
    const tooBig = await rawPeer(Buffer.concat([AMQP_HEADER, sized(513)]));
    const refused = await tooBig.closed;
    expect(closeErrorIn(refused)).toMatchObject({ condition: "amqp:connection:framing-error" });
    expect(closeErrorIn(refused)?.description).toMatch(/513 bytes exceeds the 512-byte limit before open/);
  });

  it("advertises max-frame-size 262144 and idle-time-out in open, and closes a larger frame after open", async () => {
    const peer = await rawPeer(Buffer.concat([AMQP_HEADER, OPEN]));
    const before = await bufferBytes();
    peer.socket.write(Buffer.from([0x7f, 0xff, 0xff, 0xff, 2, 0, 0, 0]));
    await peer.junk(32 * 1024 * 1024);
    const grown = (await bufferBytes()) - before;
    const answer = await peer.closed;
    const open = framesIn(answer).find((f) => f.code === 0x10)?.performative;
    expect(open).toMatchObject({ max_frame_size: 262_144, idle_time_out: IDLE_MS });
    const error = closeErrorIn(answer);
    expect(error?.condition).toBe("amqp:connection:framing-error");
    expect(error?.description).toMatch(/2147483647 bytes exceeds the 262144-byte limit/);
    expect(grown).toBeLessThan(8 * 1024 * 1024);
  });

  it("closes a connection that does not authenticate with $cbs in time, and keeps one that did", async () => {
    const authenticated = await rawAmqpConnection(emulator.serviceBus.port);
    const container = (rhea as any).create_container();
    container.on("error", () => undefined);
    const started = Date.now();
    const port = emulator.serviceBus.port;
    const anonymous = container.connect({ host: "127.0.0.1", port, reconnect: false, username: SAS_KEY_NAME });
    anonymous.on("disconnected", () => undefined);
    const error = await connectionError(anonymous);
    expect(Date.now() - started).toBeGreaterThanOrEqual(AUTH_MS - 50);
    expect(error.condition).toBe("amqp:unauthorized-access");
    expect(error.description).toMatch(/not authorized with a put-token on \$cbs within the allowed 800 milliseconds/);
    // The connection that sent its token is still served.
    const sender = authenticated.connection.open_sender({ target: { address: "q1" } });
    await new Promise((resolve) => sender.once("sendable", resolve));
    expect(authenticated.connection.is_open()).toBe(true);
    authenticated.close();
  });

  it("closes a connection silent for twice the advertised idle-time-out; a peer sending heartbeats stays", async () => {
    const heartbeating = await rawAmqpConnection(emulator.serviceBus.port);
    let dropped = false;
    heartbeating.connection.on("disconnected", () => (dropped = true));
    const peer = await rawPeer(Buffer.concat([AMQP_HEADER, OPEN]));
    const started = Date.now();
    const answer = await peer.closed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(2 * IDLE_MS - 50);
    expect(closeErrorIn(answer)?.condition).toBe("amqp:resource-limit-exceeded");
    // rhea answers an idle-time-out with empty frames every half period: its connection outlives the silent one.
    await new Promise((r) => setTimeout(r, 4 * IDLE_MS));
    expect(dropped).toBe(false);
    expect(heartbeating.connection.is_open()).toBe(true);
    heartbeating.close();
  });

  it("closes a connection left without links, as Azure's LinkTracker does, and not one that keeps a link", async () => {
    const raw = await rawAmqpConnection(emulator.serviceBus.port);
    let error: { condition: string; description: string } | undefined;
    void connectionError(raw.connection).then((e) => (error = e));
    // Its $cbs links count: past the deadline with links, it stays.
    await new Promise((r) => setTimeout(r, LINKLESS_MS + 300));
    expect(raw.connection.is_open()).toBe(true);
    const started = Date.now();
    for (const session of Object.values<any>(raw.connection.local_channel_map)) {
      for (const link of Object.values<any>(session.links)) link.close();
    }
    while (!error && Date.now() - started < LINKLESS_MS + 3000) await new Promise((r) => setTimeout(r, 20));
    expect(Date.now() - started).toBeGreaterThanOrEqual(LINKLESS_MS - 50);
    expect(error?.condition).toBe("amqp:connection:forced");
    expect(error?.description).toMatch(/inactive for more than the allowed 1500 milliseconds .* 'LinkTracker'/);
  });

  it("closes a connection whose unfinished transfers pass the buffered-bytes cap", async () => {
    const raw = await rawAmqpConnection(emulator.serviceBus.port);
    const sender = raw.connection.open_sender({ target: { address: "q1" } });
    await new Promise((resolve) => sender.once("sendable", resolve));
    const error = connectionError(raw.connection);
    // rhea splits a message into frames of the advertised 256 KB; the emulator stops before the last one arrives.
    sender.send({ body: Buffer.alloc(BUFFERED + 1024 * 1024, 7) });
    expect((await error).condition).toBe("amqp:resource-limit-exceeded");
    expect(emulator.serviceBus.namespace.resolve("q1")?.store?.messageCount).toBe(0);
  });

  it("still serves the SDK, whose heartbeats and 256 KB frames are within the limits", async () => {
    const client = serviceBusClient(emulator);
    const sender = client.createSender("sdk");
    await sender.sendMessages({ body: Buffer.alloc(1024 * 1024, 3) });
    await new Promise((r) => setTimeout(r, 4 * IDLE_MS + AUTH_MS));
    await sender.sendMessages({ body: "after a quiet while" });
    const receiver = client.createReceiver("sdk", { receiveMode: "receiveAndDelete" });
    const got = await receiver.receiveMessages(2, { maxWaitTimeInMs: 5000 });
    const bodies = got.map((m) => (Buffer.isBuffer(m.body) ? m.body.length : m.body));
    expect(bodies).toEqual([1024 * 1024, "after a quiet while"]);
    await client.close();
  });
});
