/**
 * `$management` operations on one entity (request/response over AMQP, notes section 9): peek, renew-lock,
 * receive-by-sequence-number and update-disposition. Replies use camelCase `statusCode` (the SDK checks for 204)
 * and always carry an explicit `errorCondition` on errors.
 */
import { amqpTypes, scanSections, SECTION, type TypedValue } from "./amqp/codec.js";
import { encodeRecord } from "./amqp/delivery-encoding.js";
import { asFault, faults, ServiceBusFault } from "./amqp/errors.js";
import { lockTokenFrom, lockTokenToRfcBytes } from "./amqp/lock-token.js";
import { typedEntries } from "./consumer-link.js";
import type { MessageStore } from "./model/message-store.js";
import type { ResolvedEntity } from "./model/namespace.js";

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
const NOT_YET = new Set(
  [
    "schedule-message",
    "cancel-scheduled-message",
    "renew-session-lock",
    "set-session-state",
    "get-session-state",
    "get-message-sessions",
    "enumerate-rules",
    "add-rule",
    "remove-rule",
    "batch-delete-messages",
  ].map((o) => OP + o),
);

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
  const records = store.peek(from, Math.max(0, count));
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
  const seqs = list(body["sequence-numbers"], "sequence-numbers").map((v) => toNumber(v, "sequence-numbers"));
  const receiveAndDelete = body["receiver-settle-mode"] === 0;
  const results = store.receiveDeferred(seqs, receiveAndDelete);
  return {
    statusCode: 200,
    body: {
      messages: results.map(({ record, lockToken, previousDeliveries }) => {
        const entry: Record<string, unknown> = { message: encodeRecord(record, previousDeliveries, lockToken) };
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
