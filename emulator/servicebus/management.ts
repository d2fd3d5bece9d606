/**
 * `$management` operations on one entity (request/response over AMQP, notes section 9): peek, renew-lock,
 * receive-by-sequence-number, update-disposition, schedule and cancel, session lock and state, and the rule
 * operations (management-rules.ts). Replies use camelCase `statusCode` (the SDK checks for 204) and always carry an
 * explicit `errorCondition` on errors.
 */
import { AmqpPayload } from "./amqp/amqp-payload.js";
import { amqpTypes, scanSections, SECTION, type TypedValue } from "./amqp/codec.js";
import { encodeDeferredRecord, encodeRecord } from "./amqp/delivery-encoding.js";
import { asFault, faults, ServiceBusFault } from "./amqp/errors.js";
import { lockTokenFrom, lockTokenToRfcBytes } from "./amqp/lock-token.js";
import { typedEntries } from "./consumer-link.js";
import { addRule, enumerateRules, removeRule } from "./management-rules.js";
import type { MessageStore } from "./model/message-store.js";
import type { ResolvedEntity } from "./model/namespace.js";
import type { Queue } from "./model/queue.js";
import type { Subscription } from "./model/subscription.js";
import type { Topic } from "./model/topic.js";

export interface ManagementReply {
  statusCode: number;
  statusDescription?: string;
  errorCondition?: string;
  body?: unknown;
  /** The request was not understood: the server also closes the request link. */
  closeLink?: boolean;
}

export interface ManagementRequest {
  operation: string;
  /** The body map, decoded to plain values. */
  body: Record<string, unknown>;
  /** The request's raw bytes, for values whose AMQP type must survive (properties-to-modify). */
  raw: Buffer;
}

const OP = "com.microsoft:";
/** Operations the SDK can send that this emulator does not handle yet: an error reply, the link stays. */
const NOT_YET = new Set(["get-message-sessions", "batch-delete-messages"].map((o) => OP + o));

export function handleManagement(request: ManagementRequest, target: ResolvedEntity | undefined): ManagementReply {
  try {
    const store = target?.store;
    switch (request.operation) {
      case OP + "peek-message":
        return peek(need(store, request.operation), request.body);
      case OP + "renew-lock":
        return renewLock(need(store, request.operation), request.body);
      case OP + "receive-by-sequence-number":
        return receiveBySequenceNumber(need(store, request.operation), request.body);
      case OP + "update-disposition":
        return updateDisposition(need(store, request.operation), request);
      case OP + "schedule-message":
        return schedule(sender(target, request.operation), request.body);
      case OP + "cancel-scheduled-message":
        sender(target, request.operation).cancelScheduled(numbers(request.body["sequence-numbers"], "sequence-numbers"));
        return { statusCode: 200 };
      case OP + "renew-session-lock":
        return { statusCode: 200, body: { expiration: new Date(need(store, request.operation).renewSessionLock(sessionIdIn(request.body))) } };
      case OP + "get-session-state": {
        const state = need(store, request.operation).sessionState(sessionIdIn(request.body));
        return { statusCode: 200, body: { "session-state": state === undefined ? null : amqpTypes.wrap_binary(state) } };
      }
      case OP + "set-session-state":
        need(store, request.operation).setSessionState(sessionIdIn(request.body), sessionStateIn(request.body));
        return { statusCode: 200 };
      case OP + "add-rule":
        addRule(subscription(target, request.operation), request.body);
        return { statusCode: 200 };
      case OP + "remove-rule":
        removeRule(subscription(target, request.operation), request.body);
        return { statusCode: 200 };
      case OP + "enumerate-rules": {
        const skip = Math.max(0, toNumber(request.body.skip ?? 0, "skip"));
        const top = Math.max(0, toNumber(request.body.top ?? 2 ** 31 - 1, "top"));
        const rules = enumerateRules(subscription(target, request.operation), skip, top);
        if (rules.length === 0) return { statusCode: 204, statusDescription: "No rules." };
        return { statusCode: 200, body: { rules } };
      }
      default:
        if (NOT_YET.has(request.operation)) return errorReply(faults.notImplemented(request.operation));
        return { ...errorReply(faults.notImplemented(String(request.operation))), closeLink: true };
    }
  } catch (err) {
    return errorReply(asFault(err));
  }
}

export function errorReply(fault: ServiceBusFault): ManagementReply {
  return { statusCode: fault.statusCode, statusDescription: fault.description, errorCondition: fault.condition };
}

function need(store: MessageStore | undefined, operation: string): MessageStore {
  if (!store) throw faults.notAllowed(`The operation '${operation}' is not supported on a topic; use one of its subscriptions.`);
  return store;
}

/** Queues and topics take scheduled messages (a topic keeps them until they are due, then fans them out). */
function sender(target: ResolvedEntity | undefined, operation: string): Queue | Topic {
  const entity = target?.entity;
  if (!entity || entity.kind === "subscription" || target.subQueue !== "main") {
    throw faults.notAllowed(`The operation '${operation}' is supported only on queues and topics.`);
  }
  return entity;
}

function subscription(target: ResolvedEntity | undefined, operation: string): Subscription {
  const entity = target?.entity;
  if (!entity || entity.kind !== "subscription" || target.subQueue !== "main") {
    throw faults.notAllowed(`The operation '${operation}' is supported only on subscriptions.`);
  }
  return entity;
}

function sessionIdIn(body: Record<string, unknown>): string {
  const id = body["session-id"];
  if (typeof id !== "string") throw faults.badRequest("The request field 'session-id' must be a string.");
  return id;
}

/** The SDK sends JSON bytes; a null state arrives as the bytes of `null` and clears the state. */
function sessionStateIn(body: Record<string, unknown>): Buffer | undefined {
  const state = body["session-state"];
  if (state === undefined || state === null) return undefined;
  if (Buffer.isBuffer(state)) return state.toString() === "null" ? undefined : Buffer.from(state);
  throw faults.badRequest("The request field 'session-state' must be binary.");
}

function schedule(entity: Queue | Topic, body: Record<string, unknown>): ManagementReply {
  const payloads = list(body.messages, "messages").map((entry) => {
    const bytes = entry && typeof entry === "object" ? (entry as Record<string, unknown>).message : undefined;
    if (!Buffer.isBuffer(bytes)) throw faults.badRequest("Each entry of 'messages' needs the encoded message as binary.");
    try {
      return AmqpPayload.received(bytes, 0, bytes.length);
    } catch (err) {
      throw faults.badRequest(`A scheduled message could not be decoded: ${(err as Error).message}`);
    }
  });
  for (const payload of payloads) {
    if (payload.size > entity.maxMessageSizeInBytes) throw faults.messageSizeExceeded(payload.size, entity.maxMessageSizeInBytes);
  }
  const sequenceNumbers = entity.schedule(payloads);
  return { statusCode: 200, body: { "sequence-numbers": amqpTypes.wrap_array(sequenceNumbers, 0x81, undefined) } };
}

function numbers(value: unknown, field: string): number[] {
  return list(value, field).map((v) => toNumber(v, field));
}

function toNumber(value: unknown, field: string): number {
  if (typeof value === "number") return value;
  if (Buffer.isBuffer(value) && value.length === 8) return Number(value.readBigInt64BE(0));
  if (typeof value === "bigint") return Number(value);
  throw faults.badRequest(`The request field '${field}' must be a number.`);
}

function list(value: unknown, field: string): unknown[] {
  if (Array.isArray(value)) return value;
  if (value === undefined || value === null) throw faults.badRequest(`The request field '${field}' is required.`);
  return [value];
}

function peek(store: MessageStore, body: Record<string, unknown>): ManagementReply {
  const from = toNumber(body["from-sequence-number"] ?? 0, "from-sequence-number");
  const count = toNumber(body["message-count"] ?? 1, "message-count");
  const sessionId = typeof body["session-id"] === "string" ? body["session-id"] : undefined;
  const records = store.peek(from, Math.max(0, count), sessionId);
  if (records.length === 0) return { statusCode: 204, statusDescription: "No messages to peek." };
  return { statusCode: 200, body: { messages: records.map((r) => ({ message: encodeRecord(r, r.deliveryCount) })) } };
}

function lockTokens(body: Record<string, unknown>): string[] {
  return list(body["lock-tokens"], "lock-tokens").map((v) => {
    const token = lockTokenFrom(v);
    if (!token) throw faults.badRequest("The request field 'lock-tokens' must hold uuids.");
    return token;
  });
}

function renewLock(store: MessageStore, body: Record<string, unknown>): ManagementReply {
  const expirations = lockTokens(body).map((token) => new Date(store.renewLock(token)));
  return { statusCode: 200, body: { expirations } };
}

function receiveBySequenceNumber(store: MessageStore, body: Record<string, unknown>): ManagementReply {
  const seqs = numbers(body["sequence-numbers"], "sequence-numbers");
  const receiveAndDelete = body["receiver-settle-mode"] === 0;
  const sessionId = typeof body["session-id"] === "string" ? body["session-id"] : undefined;
  const results = store.receiveDeferred(seqs, receiveAndDelete, sessionId);
  return {
    statusCode: 200,
    body: {
      messages: results.map(({ record, lockToken, previousDeliveries }) => {
        const entry: Record<string, unknown> = { message: encodeDeferredRecord(record, previousDeliveries, lockToken) };
        if (lockToken) entry["lock-token"] = amqpTypes.wrap_uuid(lockTokenToRfcBytes(lockToken));
        return entry;
      }),
    },
  };
}

/** properties-to-modify from the raw request, so int stays int and long stays long. */
function typedPropertiesToModify(raw: Buffer): [string, TypedValue][] | undefined {
  const body = scanSections(raw, (code) => code === SECTION.value).find((s) => s.code === SECTION.value)?.value;
  const entry = typedEntries(body).find(([k]) => k === "properties-to-modify");
  const changes = entry ? typedEntries(entry[1]) : [];
  return changes.length > 0 ? changes : undefined;
}

function updateDisposition(store: MessageStore, request: ManagementRequest): ManagementReply {
  const body = request.body;
  const tokens = lockTokens(body);
  const status = String(body["disposition-status"] ?? "");
  const changes = typedPropertiesToModify(request.raw);
  const text = (v: unknown) => (typeof v === "string" ? v : undefined);
  for (const token of tokens) {
    switch (status) {
      case "completed":
        store.complete(token);
        break;
      case "abandoned":
        store.abandon(token, changes);
        break;
      case "defered":
      case "deferred":
        store.defer(token, changes);
        break;
      case "suspended":
        store.deadLetter(token, text(body["deadletter-reason"]), text(body["deadletter-description"]), changes);
        break;
      default:
        throw faults.badRequest(`Unknown disposition-status '${status}'.`);
    }
  }
  return { statusCode: 200 };
}
