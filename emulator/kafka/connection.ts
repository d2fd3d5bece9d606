/**
 * One client connection: splits the byte stream into size-prefixed frames, answers them strictly in order (Kafka
 * processes one request per connection at a time), and gates everything behind SASL. Bad input (a truncated or
 * malformed request, an unknown API key or version, an oversized length prefix, a request before authentication)
 * closes this connection only; the server and other clients carry on. connection-limits.ts bounds what a connection
 * costs: a smaller request size before authentication, deadlines to authenticate and for idleness, and a cap on
 * queued requests past which the socket is not read.
 */
import type { Socket } from "node:net";
import { MalformedRequestError, Reader } from "./codec/reader.js";
import type { KafkaConnectionLimits } from "./connection-limits.js";
import { handlers, PRE_AUTH_APIS } from "./protocol/index.js";
import type { BrokerState, ConnectionState, RequestContext, SaslState } from "./protocol/types.js";
import { authenticatePlain, type Principal, SaslError } from "./sasl.js";

const API_VERSIONS = 18;
const SASL_HANDSHAKE = 17;
const SASL_AUTHENTICATE = 36;
/** api_key + api_version + correlation_id + client_id length. */
const MIN_HEADER_BYTES = 10;

export class ProtocolViolation extends Error {}

export class KafkaConnection implements ConnectionState {
  private saslState: SaslState = "handshake";
  principal: Principal | undefined;
  closeAfterResponse = false;
  private isClosed = false;
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  private frameSize = -1;
  /** Complete requests not yet handled, each as the views of the socket chunks it arrived in. */
  private readonly frames: Buffer[][] = [];
  /** Bytes in `frames`; over limits.maxQueuedBytes the socket is paused until the queue shrinks. */
  private queuedBytes = 0;
  private paused = false;
  private processing = false;
  private readonly authDeadline: NodeJS.Timeout;
  private readonly idleTimer: NodeJS.Timeout;
  private readonly closeListeners = new Set<() => void>();
  private afterWrite: (() => void)[] = [];

  constructor(
    readonly id: number,
    private readonly socket: Socket,
    private readonly broker: BrokerState,
    private readonly maxFrameBytes: number,
    /** The listener's port, for Metadata and FindCoordinator answers. */
    readonly advertisedPort: number,
    private readonly limits: KafkaConnectionLimits,
  ) {
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", (err) => this.broker.logger.debug("socket error", { connection: id, err: err.message }));
    socket.on("close", () => this.markClosed());
    const authMs = limits.authTimeoutMs;
    this.authDeadline = setTimeout(() => this.destroy(`not authenticated within ${authMs} ms`), authMs).unref();
    this.idleTimer = setTimeout(() => this.onIdle(), limits.idleTimeoutMs).unref();
  }

  get sasl(): SaslState {
    return this.saslState;
  }

  set sasl(state: SaslState) {
    this.saslState = state;
    if (state === "authenticated") clearTimeout(this.authDeadline);
  }

  /** The largest request read now: smaller until SASL authentication completes. */
  private requestLimit(): number {
    if (this.sasl === "authenticated") return this.maxFrameBytes;
    return Math.min(this.maxFrameBytes, this.limits.maxPreAuthRequestBytes);
  }

  /** A request being answered (a parked Fetch) is activity; otherwise the idle connection closes. */
  private onIdle(): void {
    if (this.processing) this.idleTimer.refresh();
    else this.destroy(`idle for ${this.limits.idleTimeoutMs} ms`);
  }

  get clientHost(): string {
    return this.socket.remoteAddress ?? "unknown";
  }

  get closed(): boolean {
    return this.isClosed;
  }

  onClose(fn: () => void): () => void {
    if (this.isClosed) {
      queueMicrotask(fn);
      return () => undefined;
    }
    this.closeListeners.add(fn);
    return () => this.closeListeners.delete(fn);
  }

  afterResponse(fn: () => void): void {
    this.afterWrite.push(fn);
  }

  /** Runs the current request's after-response callbacks (once its bytes are with the kernel). */
  private responseDone(): void {
    const callbacks = this.afterWrite;
    this.afterWrite = [];
    for (const fn of callbacks) fn();
  }

  /** Closes the connection at once (server shutdown or a protocol violation). */
  destroy(reason?: string): void {
    if (reason) this.broker.logger.warn("closing Kafka connection", { connection: this.id, reason });
    this.socket.destroy();
    this.markClosed();
  }

  private markClosed(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    clearTimeout(this.authDeadline);
    clearTimeout(this.idleTimer);
    this.frames.length = 0;
    this.queuedBytes = 0;
    for (const fn of [...this.closeListeners]) fn();
    this.closeListeners.clear();
  }

  private onData(chunk: Buffer): void {
    if (this.isClosed) return;
    this.idleTimer.refresh();
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.frameSize < 0) {
        if (this.buffered < 4) break;
        const prefix = this.take(4);
        const size = (prefix.length === 1 ? prefix[0] : Buffer.concat(prefix, 4)).readInt32BE(0);
        const limit = this.requestLimit();
        if (size < MIN_HEADER_BYTES || size > limit) {
          const tooBig = size > limit;
          this.destroy(tooBig ? `request of ${size} bytes exceeds the ${limit}-byte limit` : `invalid request size ${size}`);
          return;
        }
        this.frameSize = size;
      }
      if (this.buffered < this.frameSize) break;
      this.frames.push(this.take(this.frameSize));
      this.queuedBytes += this.frameSize;
      this.frameSize = -1;
    }
    if (this.queuedBytes > this.limits.maxQueuedBytes && !this.paused) {
      this.paused = true;
      this.socket.pause();
    }
    void this.process();
  }

  /**
   * Removes the next n buffered bytes as views of the chunks they sit in. Nothing is copied: a 1 MB produce request
   * arrives in some 16 chunks, and its record batches are stored in those very chunks.
   */
  private take(n: number): Buffer[] {
    this.buffered -= n;
    const views: Buffer[] = [];
    let wanted = n;
    while (wanted > 0) {
      const c = this.chunks[0];
      if (c.length <= wanted) {
        views.push(c);
        this.chunks.shift();
        wanted -= c.length;
      } else {
        views.push(c.subarray(0, wanted));
        this.chunks[0] = c.subarray(wanted);
        wanted = 0;
      }
    }
    return views;
  }

  private async process(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      while (this.frames.length > 0 && !this.isClosed) {
        const frame = this.frames.shift()!;
        for (const view of frame) this.queuedBytes -= view.length;
        if (this.paused && this.queuedBytes <= this.limits.maxQueuedBytes) {
          this.paused = false;
          this.socket.resume();
        }
        await this.handle(frame);
        this.idleTimer.refresh();
      }
    } catch (err) {
      if (err instanceof MalformedRequestError || err instanceof ProtocolViolation) this.destroy(err.message);
      else {
        this.broker.logger.error("Kafka request failed", { connection: this.id, err: (err as Error)?.stack ?? String(err) });
        this.destroy();
      }
    } finally {
      this.processing = false;
    }
  }

  private async handle(frame: Buffer[]): Promise<void> {
    if (this.sasl === "raw-token") {
      this.authenticateRaw(Buffer.concat(frame));
      return;
    }
    const reader = new Reader(frame);
    const apiKey = reader.int16();
    const apiVersion = reader.int16();
    const correlationId = reader.int32();
    const clientId = reader.nullableString() ?? "";
    const handler = handlers.get(apiKey);
    if (!handler) throw new ProtocolViolation(`unknown API key ${apiKey}`);
    if ((apiVersion < handler.minVersion || apiVersion > handler.maxVersion) && apiKey !== API_VERSIONS) {
      throw new ProtocolViolation(`${handler.name} v${apiVersion} is not supported (v${handler.minVersion}-${handler.maxVersion})`);
    }
    if (this.sasl !== "authenticated" && !PRE_AUTH_APIS.has(apiKey)) throw new ProtocolViolation(`${handler.name} before SASL authentication`);
    if (apiKey === SASL_HANDSHAKE && this.sasl !== "handshake") throw new ProtocolViolation("unexpected SaslHandshake");
    if (apiKey === SASL_AUTHENTICATE && this.sasl !== "authenticate") throw new ProtocolViolation("SaslAuthenticate before SaslHandshake");

    const ctx: RequestContext = { broker: this.broker, conn: this, apiVersion, clientId };
    let body: Awaited<ReturnType<typeof handler.handle>>;
    try {
      body = await handler.handle(reader, ctx);
    } catch (err) {
      this.responseDone();
      throw err;
    }
    if (this.isClosed || !body) this.responseDone();
    if (this.isClosed) return;
    if (body) {
      const chunks = body.toChunks();
      const header = Buffer.allocUnsafe(8);
      header.writeInt32BE(4 + body.length, 0);
      header.writeInt32BE(correlationId, 4);
      this.socket.cork();
      this.socket.write(header);
      let ok = true;
      const last = chunks.length - 1;
      for (let i = 0; i < last; i++) ok = this.socket.write(chunks[i]);
      // The last write's callback runs once the bytes are with the kernel, or with an error if the socket dies first.
      const callbacks = this.afterWrite;
      this.afterWrite = [];
      const done = callbacks.length > 0 ? () => callbacks.forEach((fn) => fn()) : undefined;
      if (last >= 0) ok = this.socket.write(chunks[last], done);
      else done?.();
      this.socket.uncork();
      if (!ok && !this.closeAfterResponse) await this.drained();
    }
    if (this.closeAfterResponse) {
      this.socket.end();
      this.markClosed();
    }
  }

  /**
   * The SASL PLAIN token sent raw after SaslHandshake v0. Success answers the (empty) server response as a raw frame,
   * a zero length prefix; failure has no error format in this flow, so the connection closes, as Kafka brokers do.
   */
  private authenticateRaw(token: Buffer): void {
    try {
      this.principal = authenticatePlain(token, this.broker.settings.policies);
    } catch (err) {
      if (!(err instanceof SaslError)) throw err;
      this.broker.logger.info("SASL authentication refused", { connection: this.id, reason: err.message });
      this.destroy();
      return;
    }
    this.sasl = "authenticated";
    this.socket.write(Buffer.alloc(4));
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.socket.off("drain", done);
        this.socket.off("close", done);
        resolve();
      };
      this.socket.on("drain", done);
      this.socket.on("close", done);
    });
  }
}
