/**
 * The one place that leans on rhea's internals to act as a Service Bus server (notes section 14). Everything else
 * talks to these small wrappers:
 * - raw transfers: on server connections rhea's message decoding is skipped and the transfer bytes are handed over
 *   untouched (the emulator keeps sections as received; CBS and `$management` requests are decoded on demand);
 * - credit: rhea lowers `link.credit` only when a transfer is written, so capacity subtracts queued, unsent ones;
 * - drain: answered every time with flow(drain=true, credit=0) after dispatching, advancing delivery-count;
 * - settlement: always with a state, and the delivery is forgotten once settled (the client never settles first
 *   in rcv-settle-mode second, so rhea would otherwise keep it forever);
 * - frame order: a link's answering attach goes out before any transfer on it (rhea writes a session's transfers
 *   first), and dispositions rhea has read but not yet handed over are taken before a link's state is dropped;
 * - protocol errors: the peer gets a close with an error (or a protocol header when it never sent one), and only
 *   its own socket is dropped;
 * - limits: frame sizes are checked before rhea buffers a frame, and multi-frame transfers are capped per
 *   connection (amqp/frame-guard.ts, amqp/connection-limits.ts).
 */
import type { Socket } from "node:net";
import rhea from "rhea";
import { batchOutput } from "./batched-output.js";
import { amqpMessage } from "./codec.js";
import type { AmqpConnectionLimits } from "./connection-limits.js";
import { FrameGuard, type FrameViolation } from "./frame-guard.js";
import { nameLinksPerDirection } from "./link-names.js";

/** A transfer's payload as it came off the wire. */
export class RawTransfer {
  constructor(readonly bytes: Buffer) {}
}

const originalDecode: (buffer: Buffer) => any = amqpMessage.decode;
let serverReadDepth = 0;
let installed = false;

function installRawCapture(): void {
  if (installed) return;
  installed = true;
  // Only while a server connection reads does decode hand back raw bytes; client connections in the same process
  // (the SDK in tests) decode as usual.
  amqpMessage.decode = (buffer: Buffer) => (serverReadDepth > 0 ? new RawTransfer(buffer) : originalDecode(buffer));
}

/** Decodes a raw transfer into rhea's message object (for CBS and `$management` requests). */
export function decodeMessage(raw: RawTransfer | Buffer): any {
  return originalDecode(raw instanceof RawTransfer ? raw.bytes : raw);
}

export interface ServerConnectionOptions {
  containerId: string;
  /** Per-session delivery buffer; big, so many locked-but-unsettled deliveries never block a session. */
  sessionBufferSize: number;
  /** Credit the server grants to each client sender link. */
  creditWindow: number;
  limits: AmqpConnectionLimits;
}

export interface AmqpCloseError {
  condition: string;
  description: string;
}

const AMQP_HEADER = Buffer.from([0x41, 0x4d, 0x51, 0x50, 0x00, 0x01, 0x00, 0x00]);

/** Accepts a socket as an AMQP server connection on `container`. */
export function acceptConnection(container: any, socket: Socket, options: ServerConnectionOptions): any {
  installRawCapture();
  const connection = container.create_connection({
    container_id: options.containerId,
    autoaccept: false,
    autosettle: false,
    treat_modified_as_released: false,
    session_buffer_size: options.sessionBufferSize,
    credit_window: options.creditWindow,
    max_frame_size: options.limits.maxFrameSize,
    idle_time_out: options.limits.idleTimeoutMs,
    reconnect: false,
  });
  batchOutput(connection);
  attachesBeforeTransfers(connection);
  guardInput(connection, options.limits);
  const onBadInput = (err: Error) =>
    failConnection(connection, {
      condition: "amqp:decode-error",
      description: `The emulator could not process the data it received: ${err.message}`,
    });
  connection.on("protocol_error", onBadInput);
  connection.on("error", onBadInput);
  socket.on("close", () => clearConnectionTimers(connection));
  connection.accept(socket);
  return connection;
}

/**
 * Makes each session of `connection` write its links' pending attaches before its transfers. rhea's session turn
 * writes transfers first and attaches after, so a client that attaches with credit (attach and flow in one read) to
 * an entity with messages was sent a transfer on a handle it did not know yet: strict peers (qpid-proton) close the
 * connection for that. AMQP 1.0 section 2.6.3: a link's handle is in use only once its attach is sent.
 */
function attachesBeforeTransfers(connection: any): void {
  const createSession = connection.create_session;
  connection.create_session = function (this: any, ...args: unknown[]) {
    const session = createSession.apply(this, args);
    const turn = session._process;
    session._process = function (this: any) {
      // The session's begin first (rhea's turn would write it, but only after these attaches).
      if (this.state.need_open()) this.output(this.local.begin);
      for (const name in this.links) {
        const link = this.links[name];
        if (link.state.need_open()) this.output(link.local.attach);
      }
      return turn.call(this);
    };
    return session;
  };
}

/**
 * Wraps rhea's read: transfers decode to raw bytes (see installRawCapture), a frame over the size limit closes the
 * connection before rhea buffers it, and so do unfinished multi-frame transfers over the buffered-bytes cap.
 */
function guardInput(connection: any, limits: AmqpConnectionLimits): void {
  const input = connection.input;
  const read = (buffer: Buffer) => {
    serverReadDepth++;
    try {
      return input.call(connection, buffer);
    } finally {
      serverReadDepth--;
    }
  };
  const frames = new FrameGuard(limits.maxFrameSize);
  let failed = false;
  connection.input = (buffer: Buffer) => {
    if (failed) return;
    const violation = frames.check(buffer);
    if (violation) {
      failed = true;
      // rhea still reads what came before the oversized frame (the protocol header, an open), so a close can follow.
      if (violation.offset > 0) read(buffer.subarray(0, violation.offset));
      failConnection(connection, oversizeFrameError(violation));
      return;
    }
    read(buffer);
    const buffered = incompleteTransferBytes(connection);
    if (buffered > limits.maxBufferedBytes) {
      failed = true;
      failConnection(connection, {
        condition: "amqp:resource-limit-exceeded",
        description: `Unfinished transfers on this connection hold ${buffered} bytes, over the limit of ${limits.maxBufferedBytes}`,
      });
    }
  };
}

function oversizeFrameError(v: FrameViolation): AmqpCloseError {
  const when = v.beforeOpen ? "before open (MIN-MAX-FRAME-SIZE)" : "(the max-frame-size advertised in open)";
  return {
    condition: "amqp:connection:framing-error",
    description: `A frame of ${v.size} bytes exceeds the ${v.limit}-byte limit ${when}.`,
  };
}

/** Bytes held for transfers whose last frame has not arrived yet, over every receiving link of the connection. */
function incompleteTransferBytes(connection: any): number {
  let total = 0;
  for (const channel in connection.local_channel_map) {
    const links = connection.local_channel_map[channel]?.links ?? {};
    for (const name in links) {
      const frames: Buffer[] | undefined = links[name]._incomplete?.frames;
      if (frames) for (const f of frames) total += f ? f.length : 0;
    }
  }
  return total;
}

/**
 * Sends the peer an error and ends its socket: a close frame once the AMQP layer has started (after an open of our
 * own when none was sent yet: section 2.4.1 wants an open before a close), or our protocol header when the peer never
 * sent a valid one. The SASL layer has no error frame, so there the socket just closes.
 */
export function failConnection(connection: any, error: AmqpCloseError): void {
  const socket: Socket | undefined = connection.socket;
  try {
    if (connection.is_remote_open() && !connection.is_closed()) {
      connection.close(error);
      connection._process();
    } else if (connection.amqp_transport?.header_received && !connection.is_closed()) {
      connection.open();
      connection.close(error);
      connection._process();
    } else if (socket && !socket.destroyed && !connection.transport?.header_sent) {
      socket.write(AMQP_HEADER);
    }
    socket?.end();
  } catch {
    // The socket is going away anyway.
  }
  // Make sure a peer that keeps the socket half-open (and stops reading) cannot hold it.
  setTimeout(() => socket?.destroy(), 1000).unref();
}

function clearConnectionTimers(connection: any): void {
  for (const t of ["heartbeat_out", "heartbeat_in", "abort_idle"]) {
    if (connection[t]) clearTimeout(connection[t]);
    connection[t] = undefined;
  }
}

/** Closes a server connection with an error, flushes it, and drops the socket. */
export function forceCloseConnection(connection: any, error: { condition: string; description: string }): void {
  try {
    if (connection.is_remote_open() && !connection.is_closed()) {
      connection.close(error);
      connection._process();
    }
  } catch {
    // Best effort.
  }
  clearConnectionTimers(connection);
  connection.socket?.destroy();
}

export interface AttachAnswer {
  source?: Record<string, unknown> | null;
  target?: Record<string, unknown> | null;
  maxMessageSize?: number;
  copySettleModes?: boolean;
  properties?: Record<string, unknown>;
}

/** Fills in the attach rhea sends back; must run synchronously inside sender_open / receiver_open. */
export function answerAttach(link: any, answer: AttachAnswer): void {
  if (answer.source !== undefined) {
    if (answer.source) link.set_source(answer.source);
    else link.local.attach.source = null;
  }
  if (answer.target !== undefined) {
    if (answer.target) link.set_target(answer.target);
    else link.local.attach.target = null;
  }
  if (answer.maxMessageSize !== undefined) link.local.attach.max_message_size = answer.maxMessageSize;
  if (answer.copySettleModes) {
    const remote = link.remote.attach;
    if (remote.snd_settle_mode !== undefined) link.local.attach.snd_settle_mode = remote.snd_settle_mode;
    if (remote.rcv_settle_mode !== undefined) link.local.attach.rcv_settle_mode = remote.rcv_settle_mode;
  }
  if (answer.properties) link.local.attach.properties = answer.properties;
}

/**
 * Holds back the answering attach of a link opened by the client (acceptNextSession's long poll, notes section 10):
 * rhea queues it on open and writes it on its next tick, and offers no API to delay it. Call inside sender_open.
 */
export function holdAttach(link: any): void {
  if (link.state.open_requests > 0) link.state.open_requests--;
}

/** Sends an attach held by holdAttach (fill it in with answerAttach first). */
export function releaseAttach(link: any): void {
  link.state.open_requests++;
  link.connection._register();
}

/**
 * Hands over now the dispositions the peer sent for `link`'s deliveries that rhea has read but keeps until its next
 * session turn. Call before dropping a link's state on detach, end or close: a settlement the client sent in the
 * same batch of frames (disposition, then detach) reached us and must take effect.
 */
export function takePendingOutcomes(link: any): void {
  const outgoing = link.session?.outgoing;
  if (!outgoing || !outgoing.updated.some((d: any) => d.link === link)) return;
  const mine = outgoing.updated.filter((d: any) => d.link === link);
  outgoing.updated = outgoing.updated.filter((d: any) => d.link !== link);
  // The same events, in the same order, as rhea's own turn would dispatch.
  for (const delivery of mine) {
    const outcome = delivery.remote_state?.constructor?.composite_type;
    if (outcome) link.dispatch(outcome, link._context({ delivery }));
    if (delivery.remote_settled) link.dispatch("settled", link._context({ delivery }));
  }
}

/** Refuses a link: rhea sends the attach, then a detach carrying the error. */
export function refuseLink(link: any, error: { condition: string; description: string }): void {
  link.close(error);
}

/** The address a client wrote in its attach's source or target, or undefined. */
export function remoteAddress(link: any, terminus: "source" | "target"): string | undefined {
  const t = link.remote.attach?.[terminus];
  return t && typeof t.address === "string" ? t.address : undefined;
}

export interface OutgoingDelivery {
  readonly raw: any;
}

/** A server sender link (the client's receiver): credit that counts queued transfers, drain, settlement. */
export class OutgoingLink {
  private sent = 0;
  private drained = 0;

  constructor(readonly link: any) {
    // rhea answers a drain only while credit > 0, and only once; the SDK needs an answer every time.
    link._get_drain = () => {
      if (!link._draining) return false;
      const unused = Math.max(0, link.credit);
      link.delivery_count += unused;
      this.drained += unused;
      link.credit = 0;
      link._draining = false;
      return true;
    };
  }

  /** Presettled transfers (receiveAndDelete) when the client asked for snd-settle-mode settled. */
  get presettled(): boolean {
    return this.link.local.attach.snd_settle_mode === 1;
  }

  get isOpen(): boolean {
    return this.link.is_open();
  }

  /** Transfers the link can still take: credit minus transfers queued but not yet written. */
  capacity(): number {
    const link = this.link;
    if (!link.is_open()) return 0;
    const written = link.delivery_count - this.drained;
    const unsent = this.sent - written;
    return Math.min(link.credit - unsent, link.session.outgoing.available());
  }

  get draining(): boolean {
    return Boolean(this.link._draining);
  }

  /** Queues one transfer of pre-encoded bytes (message-format 0). */
  send(bytes: Buffer, tag: Buffer): any {
    this.sent++;
    return this.link.send(bytes, tag, 0);
  }

  /** After dispatching: if the client asked to drain, spend the unused credit and tell it so. */
  answerDrain(): void {
    const link = this.link;
    if (link._draining && link.is_open()) {
      link.issue_flow = true;
      link.connection._register();
    }
  }

  /**
   * Settles a delivery with an outcome (a described outcome from rhea.message). rhea 3.0.5 writes the dispositions
   * of one tick as ranges, and a range of one delivery absorbs the next consecutive one whatever its outcome
   * (`write_dispositions` compares outcomes only from a range's second delivery on): a lock-lost rejection followed
   * in the same tick by a completion told the client both were rejected. Such an answer waits for the next turn of
   * the event loop, after rhea has written the pending range, so each delivery's own outcome reaches the client.
   */
  settle(delivery: any, outcome: any): void {
    if (delivery.settled || delivery[SETTLE_LATER]) return;
    const pending: any[] | undefined = delivery.link?.session?.outgoing?.pending_dispositions;
    const previous = pending?.at(-1);
    if (previous && previous.id + 1 === delivery.id && !amqpMessage.are_outcomes_equivalent(previous.state, outcome)) {
      delivery[SETTLE_LATER] = true;
      setImmediate(() => {
        delivery[SETTLE_LATER] = false;
        // The link may have closed meanwhile: the client then learns nothing more of it, as on any detach.
        if (delivery.link?.is_open?.()) this.settle(delivery, outcome);
      });
      return;
    }
    delivery.update(true, outcome);
    delivery.remote_settled = true;
  }
}

/** Marks a delivery whose answer waits for the next turn of the event loop (see `settle`). */
const SETTLE_LATER = Symbol("settleLater");

/** Outcomes without fields are never changed once made: one each serves every settlement. */
const ACCEPTED = amqpMessage.accepted().described();
const RELEASED = amqpMessage.released().described();

export const outcomes = {
  accepted: () => ACCEPTED,
  rejected: (error?: { condition: string; description: string }) => amqpMessage.rejected(error ? { error } : {}).described(),
  modified: (fields: { delivery_failed?: boolean; undeliverable_here?: boolean }) => amqpMessage.modified(fields).described(),
  released: () => RELEASED,
};

/** Settles an incoming transfer (client sender): accepted, or rejected with an error. */
export function settleIncoming(delivery: any, error?: { condition: string; description: string }): void {
  delivery.update(true, error ? outcomes.rejected(error) : outcomes.accepted());
}

/**
 * SASL as Azure offers it: ANONYMOUS (rhea and the JS SDK) and MSSBCBS ("claims come later through $cbs"), which
 * uamqp-based clients such as Python azure-servicebus 7.8 insist on. Neither authenticates: CBS put-token does.
 */
function offerServiceBusSasl(container: any): void {
  const mechanisms = container.sasl_server_mechanisms;
  mechanisms.enable_anonymous();
  mechanisms.MSSBCBS = () => ({
    outcome: undefined as boolean | undefined,
    start() {
      this.outcome = true;
    },
  });
}

export function createContainer(id: string): any {
  nameLinksPerDirection();
  const container = (rhea as any).create_container({ id });
  offerServiceBusSasl(container);
  return container;
}
