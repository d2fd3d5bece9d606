/**
 * Null-sink AMQP endpoint: the baseline for the Service Bus benchmarks. It does the least a server can do while the
 * unmodified @azure/service-bus SDK still works against it: CBS put-token is answered 202 without validation, every
 * transfer (single or batch) is accepted and discarded, and a receiver gets one pre-encoded 1 KB message per unit of
 * credit. Only the per-delivery fields the SDK relies on (message-id, sequence number, lock expiry, delivery tag) are
 * patched into a copy of that buffer. Anything it measures is the cost of the SDK, rhea and the socket, so the
 * emulator's figures read as a share of it.
 */
import type { AddressInfo } from "node:net";
import type { Server } from "node:net";
import rhea, { type Delivery, type EventContext, type Receiver, type Sender } from "rhea";

export interface NullSink {
  readonly port: number;
  readonly connectionString: string;
  close(): Promise<void>;
}

/** The SDK reads this from the answering attach as the batch size limit (notes 5.1). */
const maxMessageSize = 262144;
const lockDurationMs = 60_000;
const messageIdPrefix = "null-sink-";
const messageIdDigits = 12;
/** Markers that are unique in the encoded message, so their offsets can be found once. */
const sequenceMarker = 2 ** 52 + 0x1234;
const lockedUntilMarker = 4_102_444_800_123; // 2100-01-01, never a real lock expiry

interface PreEncodedMessage {
  bytes: Buffer;
  messageIdOffset: number;
  sequenceOffset: number;
  lockedUntilOffset: number;
}

/** The body the benchmarks send: a JSON document of exactly 1 KB, as an application would. */
export function benchBody(): Record<string, unknown> {
  const shell = JSON.stringify({ kind: "bench", payload: "" });
  return { kind: "bench", payload: "x".repeat(1024 - shell.length) };
}

function offsetOf(bytes: Buffer, needle: Buffer, what: string): number {
  const at = bytes.indexOf(needle);
  if (at < 0 || bytes.indexOf(needle, at + 1) >= 0) throw new Error(`null sink: ${what} marker is not unique in the message`);
  return at;
}

function preEncode(): PreEncodedMessage {
  const messageId = messageIdPrefix + "0".repeat(messageIdDigits);
  const bytes = rhea.message.encode({
    delivery_count: 0,
    message_id: messageId,
    content_type: "application/json",
    message_annotations: {
      "x-opt-sequence-number": rhea.types.wrap_long(sequenceMarker),
      "x-opt-enqueued-time": new Date(),
      "x-opt-locked-until": rhea.types.wrap_timestamp(lockedUntilMarker),
    },
    body: rhea.message.data_section(Buffer.from(JSON.stringify(benchBody()))),
  });
  const longBytes = (n: number) => {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt(n));
    return b;
  };
  return {
    bytes,
    messageIdOffset: offsetOf(bytes, Buffer.from(messageId), "message-id"),
    sequenceOffset: offsetOf(bytes, longBytes(sequenceMarker), "sequence-number"),
    lockedUntilOffset: offsetOf(bytes, longBytes(lockedUntilMarker), "locked-until"),
  };
}

/** rhea fields the typings leave out; a server needs them (notes section 14). */
interface LinkInternals {
  local: { attach: Record<string, unknown> };
  credit: number;
  delivery_count: number;
  _draining: boolean;
  _drained: boolean;
  _get_drain(): boolean;
  session: { outgoing: { available(): number } };
}
const internals = (link: Sender | Receiver) => link as unknown as LinkInternals;
const acceptedOutcome = (rhea.message as unknown as { accepted(): { described(): unknown } }).accepted().described();

/** Per streaming link: how many deliveries we have handed to rhea (sent or queued). */
const issuedByLink = new WeakMap<Sender, number>();

function isStreamingLink(sender: Sender): boolean {
  const address: string | undefined = sender.source?.address;
  return !!address && address !== "$cbs" && !address.endsWith("$management");
}

/**
 * rhea only answers a drain while credit is left (notes 14.4); the SDK needs flow(drain, credit 0) every time, so
 * the remaining credit is consumed here, when rhea writes the flow.
 */
function answerEveryDrain(sender: Sender): void {
  internals(sender)._get_drain = function () {
    if (!this._draining || !this._drained) return false;
    this.delivery_count += this.credit;
    this.credit = 0;
    return true;
  };
}

function onSenderOpen(context: EventContext): void {
  const sender = context.sender!;
  // Fill in the answering attach synchronously (notes 14.1): echo the termini and the settle modes.
  sender.set_source(sender.source);
  sender.set_target(sender.target);
  const attach = internals(sender).local.attach;
  attach.snd_settle_mode = sender.snd_settle_mode;
  attach.rcv_settle_mode = sender.rcv_settle_mode;
  if (isStreamingLink(sender)) {
    issuedByLink.set(sender, 0);
    answerEveryDrain(sender);
  }
}

function onReceiverOpen(context: EventContext): void {
  const receiver = context.receiver!;
  receiver.set_target(receiver.target);
  receiver.set_source(receiver.source);
  internals(receiver).local.attach.max_message_size = maxMessageSize;
}

function answerPutToken(context: EventContext): void {
  const request = context.message!;
  const replyLink = context.connection.find_sender((s: Sender) => s.name === request.reply_to || s.target?.address === request.reply_to);
  const reply = {
    correlation_id: request.message_id,
    to: request.reply_to,
    application_properties: { "status-code": 202, "status-description": "Accepted" },
  };
  replyLink?.send(reply as unknown as rhea.Message);
}

export async function startNullSink(options: { host?: string; port?: number } = {}): Promise<NullSink> {
  const host = options.host ?? "127.0.0.1";
  const message = preEncode();
  let sequence = 1;
  let tag = 0;

  function nextDelivery(): { payload: Buffer; tag: Buffer } {
    const payload = Buffer.from(message.bytes);
    const n = sequence++;
    payload.write(String(n).padStart(messageIdDigits, "0"), message.messageIdOffset + messageIdPrefix.length, "latin1");
    payload.writeBigInt64BE(BigInt(n), message.sequenceOffset);
    payload.writeBigInt64BE(BigInt(Date.now() + lockDurationMs), message.lockedUntilOffset);
    const deliveryTag = Buffer.alloc(16);
    deliveryTag.writeUInt32BE(++tag, 12);
    return { payload, tag: deliveryTag };
  }

  function stream(context: EventContext): void {
    const sender = context.sender!;
    let issued = issuedByLink.get(sender);
    if (issued === undefined || !sender.is_open()) return;
    // credit + delivery_count is the limit set by the peer's last flow; queued-but-unwritten deliveries count too.
    const link = internals(sender);
    const limit = link.credit + link.delivery_count;
    if (link._draining) {
      issuedByLink.set(sender, limit);
      sender.set_drained(true);
      sender.connection._register();
      return;
    }
    const outgoing = link.session.outgoing;
    while (issued < limit && outgoing.available() > 0) {
      const next = nextDelivery();
      sender.send(next.payload, next.tag, 0);
      issued++;
    }
    issuedByLink.set(sender, issued);
  }

  function settle(context: EventContext): void {
    const delivery = context.delivery as Delivery & { remote_settled: boolean };
    delivery.update(true, acceptedOutcome);
    // In rcv-settle-mode second the peer never sends a settled disposition after ours, so rhea would keep the
    // delivery in its session buffer forever and stop sending after 2048 of them.
    delivery.remote_settled = true;
  }

  const container = rhea.create_container({ id: "null-sink" });
  container.on("sender_open", onSenderOpen);
  container.on("receiver_open", onReceiverOpen);
  container.on("sender_flow", stream);
  container.on("sendable", stream);
  container.on("message", (context: EventContext) => {
    const receiver = context.receiver as Receiver;
    if (receiver.target?.address === "$cbs") answerPutToken(context);
    context.delivery!.accept();
  });
  // completeMessage: the only settlement the benchmarks use.
  container.on("accepted", settle);
  // A link detached with an error and no handler would otherwise crash the process (notes 14.8).
  container.on("error", () => undefined);
  container.on("disconnected", () => undefined);

  const server = container.listen({ port: options.port ?? 0, host, autoaccept: false, treat_modified_as_released: false } as never) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const port = (server.address() as AddressInfo).port;
  const sockets = new Set<import("node:net").Socket>();
  server.on("connection", (socket) => {
    socket.setNoDelay(true); // without it Nagle + delayed ACK stall small frames (flows, dispositions) by ~40 ms
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  return {
    port,
    connectionString: `Endpoint=sb://localhost:${port};SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
