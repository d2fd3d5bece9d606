/**
 * The AMQP listener: accepts connections, answers attaches for `$cbs`, `$management`, senders and receivers, and
 * routes transfers, flows and dispositions to the model. rhea's quirks stay in amqp/rhea-adapter.ts. Each connection
 * is held to amqp/connection-limits.ts: frame sizes, buffered bytes, an idle timeout and a deadline to authenticate.
 */
import net from "node:net";
import type { AddressInfo } from "node:net";
import type { Logger } from "../common/logger.js";
import { amqpTypes } from "./amqp/codec.js";
import { BATCH_MESSAGE_FORMAT, receivedPayloads } from "./amqp/batch.js";
import { type AmqpConnectionLimits, defaultAmqpLimits } from "./amqp/connection-limits.js";
import { asFault, faults, type ServiceBusFault } from "./amqp/errors.js";
import {
  acceptConnection,
  answerAttach,
  createContainer,
  decodeMessage,
  failConnection,
  forceCloseConnection,
  RawTransfer,
  refuseLink,
  remoteAddress,
  settleIncoming,
  takePendingOutcomes,
} from "./amqp/rhea-adapter.js";
import { ClaimSet, entityAddressOf, entityPathOf, putToken, type Right, type SasCredentials } from "./cbs.js";
import { ConnectionDeadlines } from "./connection-deadlines.js";
import type { AddressedAs } from "./namespace-hosts.js";
import { ConsumerLink } from "./consumer-link.js";
import { handleManagement, type ManagementReply } from "./management.js";
import { openSessionReceiver, sessionRequestOf } from "./session-link.js";
import type { Namespace, ResolvedEntity } from "./model/namespace.js";
import type { Queue } from "./model/queue.js";
import type { Topic } from "./model/topic.js";

type LinkRole =
  | { kind: "cbs" }
  /** Resolved by name at each request, as Azure does: the entity may be deleted and created again meanwhile. */
  | { kind: "management"; entityPath: string }
  | { kind: "ingress"; entity: Queue | Topic }
  | { kind: "consumer"; consumer: ConsumerLink }
  | { kind: "reply" };

interface ConnectionState {
  claims: ClaimSet;
  /** Reply links (client receivers on `$cbs` / `$management`) by link name and by target address. */
  replies: Map<string, any>;
  links: Map<any, LinkRole>;
  /** To authenticate, and not to stay without links (connection-deadlines.ts). */
  deadlines: ConnectionDeadlines;
  /** The host the client addressed (its open frame) and the local address it reached, for the token audience check. */
  addressed: () => AddressedAs;
}

export interface AmqpServerOptions {
  namespace: Namespace;
  credentials: SasCredentials;
  logger: Logger;
  /**
   * Takes sockets whose first byte is a TLS handshake (0x16): the administration API over HTTPS on the AMQP port,
   * where the SDK's admin client sends it. Without it every socket is AMQP.
   */
  onTlsSocket?: (socket: net.Socket) => void;
  /** Frame, buffer and time limits per connection; Azure's figures by default (amqp/connection-limits.ts). */
  limits?: Partial<AmqpConnectionLimits>;
}

const MANAGEMENT = /(^|\/)\$management$/i;

export class ServiceBusAmqpServer {
  private readonly container = createContainer("servicebus-emulator");
  private readonly server = net.createServer((socket) => this.sniff(socket));
  private readonly connections = new Map<any, ConnectionState>();
  /** Sockets not (yet) handed to rhea: still silent, or taken by onTlsSocket; destroyed on close. */
  private readonly otherSockets = new Set<net.Socket>();
  /** Durable mode: settles once every change so far is on disk (absent in memory, where nothing waits). */
  private readonly durable: (() => Promise<void> | undefined) | undefined;
  private readonly limits: AmqpConnectionLimits;

  constructor(private readonly options: AmqpServerOptions) {
    this.limits = { ...defaultAmqpLimits, ...options.limits };
    const storage = options.namespace.storage;
    this.durable = storage.durable ? () => storage.durable!() : undefined;
    this.container.on("error", (err: Error) => this.options.logger.warn("amqp error", { error: err.message }));
    this.server.on("error", (err) => this.options.logger.error("listener error", { error: err.message }));
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.otherSockets) socket.destroy();
    for (const connection of [...this.connections.keys()]) {
      this.cleanup(connection);
      forceCloseConnection(connection, { condition: "amqp:connection:forced", description: "The emulator is shutting down." });
    }
    await closed;
  }

  /** One port, two protocols: 'A' (the AMQP header) and anything else go to rhea, a TLS ClientHello to onTlsSocket. */
  private sniff(socket: net.Socket): void {
    const onTls = this.options.onTlsSocket;
    if (!onTls) return this.accept(socket);
    this.otherSockets.add(socket);
    socket.on("error", () => undefined);
    // A socket that never sends a byte is held to the same deadline as one that never authenticates.
    const silent = setTimeout(() => socket.destroy(), this.limits.authTimeoutMs).unref();
    socket.once("close", () => {
      clearTimeout(silent);
      this.otherSockets.delete(socket);
    });
    socket.once("data", (chunk: Buffer) => {
      clearTimeout(silent);
      socket.pause();
      socket.unshift(chunk);
      if (chunk[0] === 0x16) {
        onTls(socket);
      } else {
        this.otherSockets.delete(socket);
        this.accept(socket);
      }
      socket.resume();
    });
  }

  /** Serves a connected socket as AMQP: the plain port's (after sniffing) or an AMQPS listener's decrypted one. */
  accept(socket: net.Socket): void {
    socket.setNoDelay(true);
    socket.on("error", () => undefined);
    const connection = acceptConnection(this.container, socket, {
      containerId: "servicebus-emulator",
      sessionBufferSize: 1 << 17,
      creditWindow: 1000,
      limits: this.limits,
    });
    const links = new Map<any, LinkRole>();
    const deadlines = new ConnectionDeadlines(this.limits, () => links.size, (fault) => {
      this.options.logger.info("closing a connection past its deadline", { reason: fault.condition });
      failConnection(connection, fault.toAmqpError());
      this.cleanup(connection);
    });
    const addressed = (): AddressedAs => ({
      hostname: connection.remote?.open?.hostname,
      localAddress: socket.localAddress,
    });
    const state: ConnectionState = { claims: new ClaimSet(), replies: new Map(), links, deadlines, addressed };
    socket.once("close", () => deadlines.clear());
    this.connections.set(connection, state);
    const guard =
      (name: string, fn: (context: any) => void) =>
      (context: any): void => {
        try {
          fn(context);
        } catch (err) {
          // A bug or bad input on one link closes that link, never the process or other clients.
          const link = context.sender ?? context.receiver;
          this.options.logger.warn(`${name} failed`, { error: (err as Error).stack });
          if (link && !link.is_closed()) refuseLink(link, asFault(err).toAmqpError());
        }
      };
    connection.on("sender_open", guard("attach", (c) => this.onClientReceiver(state, c.sender)));
    connection.on("receiver_open", guard("attach", (c) => this.onClientSender(state, c.receiver)));
    connection.on("message", guard("transfer", (c) => this.onMessage(state, c)));
    connection.on("sender_flow", guard("flow", (c) => this.consumerOf(state, c.sender)?.onFlow()));
    for (const kind of ["accepted", "rejected", "modified", "released"] as const) {
      connection.on(kind, guard("disposition", (c) => this.consumerOf(state, c.sender)?.onOutcome(kind, c.delivery)));
    }
    connection.on("sender_close", (c: any) => this.dropLink(state, c.sender));
    connection.on("receiver_close", (c: any) => this.dropLink(state, c.receiver));
    connection.on("session_close", (c: any) => {
      for (const link of [...state.links.keys()]) if (link.session === c.session) this.dropLink(state, link);
    });
    // A client that closes its connection cleanly may leave links it never detached (an acceptNextSession still held
    // back): they go with the connection, so no dead receiver claims a session later. rhea sends no "disconnected" then.
    connection.on("connection_close", () => this.cleanup(connection));
    connection.on("connection_error", () => undefined);
    connection.on("disconnected", () => this.cleanup(connection));
  }

  private cleanup(connection: any): void {
    const state = this.connections.get(connection);
    if (!state) return;
    state.deadlines.clear();
    this.connections.delete(connection);
    for (const link of [...state.links.keys()]) this.dropLink(state, link);
  }

  private dropLink(state: ConnectionState, link: any): void {
    const role = state.links.get(link);
    if (!role) return;
    // A settlement read in the same batch as the detach, end or close still counts (rhea would hand it over later).
    if (role.kind === "consumer") takePendingOutcomes(link);
    state.links.delete(link);
    if (state.links.size === 0) state.deadlines.lastLinkClosed();
    if (role.kind === "consumer") role.consumer.close();
    if (role.kind === "reply") for (const [k, v] of state.replies) if (v === link) state.replies.delete(k);
  }

  private consumerOf(state: ConnectionState, link: any): ConsumerLink | undefined {
    const role = link && state.links.get(link);
    return role?.kind === "consumer" ? role.consumer : undefined;
  }

  /** `right`: what the link does (an entity's SAS rule may allow only Send or Listen). */
  private authorize(state: ConnectionState, address: string, right?: Right): void {
    if (!state.claims.covers(address)) {
      throw faults.unauthorized(`The connection has no valid put-token claim for '${address}'. Send a token to $cbs before attaching.`);
    }
    if (right && !state.claims.covers(address, right)) {
      throw faults.unauthorized(`Unauthorized access. '${right}' claim(s) are required to perform this operation.`);
    }
  }

  private resolveOrFail(address: string): ResolvedEntity {
    const resolved = this.options.namespace.resolve(address);
    if (!resolved) throw faults.entityNotFound(`sb://${this.options.namespace.name}/${address}`);
    return resolved;
  }

  /** A client sender attached; we are its receiver. */
  private onClientSender(state: ConnectionState, link: any): void {
    const address = entityAddressOf(remoteAddress(link, "target") ?? "");
    const sourceAddress = remoteAddress(link, "source");
    const source = sourceAddress === undefined ? null : { address: sourceAddress };
    try {
      if (address === "$cbs") {
        answerAttach(link, { source, target: { address } });
        state.links.set(link, { kind: "cbs" });
        return;
      }
      if (MANAGEMENT.test(address)) {
        this.authorize(state, address);
        const entityPath = entityPathOf(address);
        if (entityPath !== "") this.resolveOrFail(entityPath);
        answerAttach(link, { source, target: { address } });
        state.links.set(link, { kind: "management", entityPath });
        return;
      }
      const resolved = this.resolveOrFail(address);
      if (resolved.subQueue !== "main" || resolved.entity.kind === "subscription") {
        throw faults.notAllowed(`Cannot send to '${address}': messages can be sent only to queues and topics.`);
      }
      this.authorize(state, address, "Send");
      const entity = resolved.entity;
      answerAttach(link, { source, target: { address }, maxMessageSize: entity.maxMessageSizeInBytes });
      state.links.set(link, { kind: "ingress", entity });
    } catch (err) {
      answerAttach(link, { source, target: { address } });
      refuseLink(link, asFault(err).toAmqpError());
    }
  }

  /** A client receiver attached; we are its sender. */
  private onClientReceiver(state: ConnectionState, link: any): void {
    const address = entityAddressOf(remoteAddress(link, "source") ?? "");
    const targetAddress = remoteAddress(link, "target");
    const target = targetAddress === undefined ? null : { address: targetAddress };
    try {
      if (address === "$cbs" || MANAGEMENT.test(address)) {
        if (address !== "$cbs") this.authorize(state, address);
        answerAttach(link, { source: { address }, target });
        link.local.attach.snd_settle_mode = 1;
        state.links.set(link, { kind: "reply" });
        state.replies.set(link.name, link);
        if (targetAddress) state.replies.set(targetAddress, link);
        return;
      }
      const resolved = this.resolveOrFail(address);
      if (!resolved.store) throw faults.notAllowed(`Cannot receive from topic '${address}': receive from one of its subscriptions.`);
      this.authorize(state, address, "Listen");
      const store = resolved.store;
      const session = sessionRequestOf(link);
      if (session.sessionful && !store.sessionful) throw faults.sessionReceiverNotAllowed();
      if (!session.sessionful && store.sessionful) throw faults.sessionReceiverRequired();
      const consumer = new ConsumerLink(link, store, this.options.logger, undefined, this.durable);
      if (session.sessionful) {
        openSessionReceiver({ link, consumer, address, target, clock: this.options.namespace.clock }, session.sessionId);
      } else {
        answerAttach(link, { source: { address }, target, copySettleModes: true });
        consumer.start();
      }
      state.links.set(link, { kind: "consumer", consumer });
    } catch (err) {
      answerAttach(link, { source: { address }, target });
      refuseLink(link, asFault(err).toAmqpError());
    }
  }

  private onMessage(state: ConnectionState, context: any): void {
    const link = context.receiver;
    const role = state.links.get(link);
    const delivery = context.delivery;
    const message = context.message;
    const bytes: Buffer = message instanceof RawTransfer ? message.bytes : Buffer.isBuffer(message) ? message : Buffer.alloc(0);
    if (!role) {
      settleIncoming(delivery, faults.notAllowed("The link is not attached to an entity.").toAmqpError());
      return;
    }
    switch (role.kind) {
      case "ingress":
        this.ingest(role.entity, bytes, context.format, delivery);
        return;
      case "cbs":
        settleIncoming(delivery);
        this.onPutToken(state, bytes);
        return;
      case "management":
        settleIncoming(delivery);
        this.onManagement(state, link, role.entityPath, bytes);
        return;
      default:
        settleIncoming(delivery, faults.notAllowed("Unexpected transfer.").toAmqpError());
    }
  }

  private ingest(entity: Queue | Topic, bytes: Buffer, format: number | undefined, delivery: any): void {
    let fault: ServiceBusFault | undefined;
    try {
      const limit = entity.maxMessageSizeInBytes;
      if (bytes.length > limit) throw faults.messageSizeExceeded(bytes.length, limit);
      const status = entity.options.status;
      if (status === "Disabled" || status === "SendDisabled") throw faults.entityDisabled(entity.name);
      const batch = format === BATCH_MESSAGE_FORMAT;
      if (!batch && format !== undefined && format !== 0) throw faults.notAllowed(`Message format ${format} is not supported.`);
      entity.send(receivedPayloads(bytes, batch));
    } catch (err) {
      fault = err instanceof TypeError || err instanceof RangeError ? faults.decodeError(`The message could not be decoded: ${err.message}`) : asFault(err);
    }
    // Durable mode: accepted only once the message is on disk (group commit: one sync for all sends of this turn).
    const pending = fault ? undefined : this.durable?.();
    if (!pending) {
      settleIncoming(delivery, fault?.toAmqpError());
      return;
    }
    pending.then(
      () => settleLater(delivery),
      (err: Error) => settleLater(delivery, faults.internal(`The message could not be stored: ${err.message}`).toAmqpError()),
    );
  }

  /**
   * Answers on the link `reply_to` names; a request without one (uamqp's CBS client, Python azure-servicebus 7.8) on
   * the client's receiver attached to the same `node` (e.g. `$cbs`), as Azure does.
   */
  private reply(state: ConnectionState, request: any, props: Record<string, unknown>, body: unknown, node: string) {
    const replyTo = request.reply_to;
    const link = typeof replyTo === "string" ? state.replies.get(replyTo) : this.replyLinkOn(state, node);
    if (!link || !link.is_open()) {
      this.options.logger.warn("no reply link", { replyTo });
      return;
    }
    link.send({ correlation_id: request.message_id, application_properties: props, body });
  }

  private replyLinkOn(state: ConnectionState, node: string): any {
    for (const [link, role] of state.links) {
      if (role.kind === "reply" && remoteAddress(link, "source") === node) return link;
    }
    return undefined;
  }

  private onPutToken(state: ConnectionState, bytes: Buffer): void {
    const request = decodeMessage(bytes);
    const props = request.application_properties ?? {};
    let result: { statusCode: number; description: string };
    if (props.operation !== "put-token") {
      result = { statusCode: 400, description: `Unsupported $cbs operation '${props.operation}'.` };
    } else {
      const audience = String(props.name ?? "");
      const tokenRequest = { audience, tokenType: String(props.type ?? ""), token: request.body };
      const { credentials, namespace } = this.options;
      result = putToken(tokenRequest, credentials, namespace, state.claims, state.addressed());
      if (result.statusCode === 202) state.deadlines.authenticated();
    }
    const status = { "status-code": amqpTypes.wrap_int(result.statusCode), "status-description": result.description };
    // The claim holds at once; the response waits for the request's disposition (see onManagement).
    setImmediate(() => this.reply(state, request, status, undefined, "$cbs"));
  }

  private onManagement(state: ConnectionState, link: any, entityPath: string, bytes: Buffer): void {
    let request: any;
    let reply: ManagementReply;
    try {
      request = decodeMessage(bytes);
      // An entity deleted since the attach fails the request and closes the link, as a detached entity does on Azure.
      const target = entityPath === "" ? undefined : this.resolveOrFail(entityPath);
      const operation = String(request.application_properties?.operation ?? "");
      const body = request.body && typeof request.body === "object" && !Buffer.isBuffer(request.body) ? request.body : {};
      reply = handleManagement({ operation, body, raw: bytes }, target);
    } catch (err) {
      const fault = asFault(err);
      reply = { statusCode: fault.statusCode, statusDescription: fault.description, errorCondition: fault.condition, closeLink: true };
    }
    const answer = (final: ManagementReply) => {
      if (request) {
        const props: Record<string, unknown> = { statusCode: amqpTypes.wrap_int(final.statusCode) };
        if (final.statusDescription) props.statusDescription = final.statusDescription;
        if (final.errorCondition) props.errorCondition = amqpTypes.wrap_symbol(final.errorCondition);
        this.reply(state, request, props, final.body ?? {}, remoteAddress(link, "target") ?? "");
      }
      if (final.closeLink && !link.is_closed()) {
        refuseLink(link, { condition: final.errorCondition ?? "amqp:not-implemented", description: final.statusDescription ?? "Bad request." });
      }
    };
    // Durable mode: settlements, schedules and session states are answered once they are on disk.
    const pending = this.durable?.();
    // rhea writes this turn's transfers before its dispositions, and uamqp (Python azure-servicebus 7.8) drops a
    // response that arrives before its request's disposition: the operation is done, its answer goes out next turn.
    if (!pending) return void setImmediate(() => answer(reply));
    pending.then(
      () => answer(reply),
      (err: Error) => {
        const fault = faults.internal(`The change could not be stored: ${err.message}`);
        answer({ statusCode: fault.statusCode, statusDescription: fault.description, errorCondition: fault.condition });
      },
    );
  }
}

/** Settles an incoming delivery after a wait; its link may have gone meanwhile (the client then sees the send fail). */
function settleLater(delivery: any, error?: { condition: string; description: string }): void {
  try {
    settleIncoming(delivery, error);
  } catch {
    // The link or connection closed while the log was syncing.
  }
}
