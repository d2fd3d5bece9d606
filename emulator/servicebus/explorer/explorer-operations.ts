/**
 * What the explorer endpoints do to the namespace: list entities with counts, peek a store, purge, resubmit dead
 * letters, reset. Plain functions over the model; the routes turn their errors into JSON 4xx answers.
 */
import { HttpError } from "../../common/http-server.js";
import { countEntity, countStore, countTopic, type EntityCounts } from "../model/message-counts.js";
import type { MessageState } from "../model/message-record.js";
import type { MessageStore } from "../model/message-store.js";
import type { Namespace, SubQueue } from "../model/namespace.js";
import type { Queue } from "../model/queue.js";
import type { Subscription } from "../model/subscription.js";
import type { Topic } from "../model/topic.js";
import { messageView, type MessageView } from "./message-view.js";

export type Entity = Queue | Topic | Subscription;

export function explorerError(status: number, code: string, message: string): HttpError {
  return new HttpError(status, { error: { code, message } });
}

export function entityPath(entity: Entity): string {
  return entity.kind === "subscription" ? `${entity.topicName}/Subscriptions/${entity.name}` : entity.name;
}

export function countsOf(entity: Entity): EntityCounts {
  return entity.kind === "topic" ? countTopic(entity) : countEntity(entity);
}

export function listEntities(namespace: Namespace): object {
  return {
    namespace: namespace.name,
    queues: [...namespace.queues.values()].map((q) => ({ name: q.name, path: q.name, counts: countEntity(q) })),
    topics: [...namespace.topics.values()].map((t) => ({
      name: t.name,
      path: t.name,
      counts: countTopic(t),
      subscriptions: [...t.subscriptions.values()].map((s) => ({ name: s.name, path: entityPath(s), counts: countEntity(s) })),
    })),
  };
}

/** An entity path, optionally ending in `/$DeadLetterQueue` or `/$Transfer/$DeadLetterQueue`; 404 when unknown. */
export function resolveEntity(namespace: Namespace, path: string): { entity: Entity; subQueue: SubQueue } {
  const resolved = namespace.resolve(path);
  if (!resolved) throw explorerError(404, "EntityNotFound", `No queue, topic or subscription at '${path}' in namespace '${namespace.name}'.`);
  return { entity: resolved.entity, subQueue: resolved.subQueue };
}

export function storeOf(entity: Entity, subQueue: SubQueue): MessageStore | undefined {
  if (entity.kind === "topic") return subQueue === "main" ? (entity as { scheduled?: MessageStore }).scheduled : undefined;
  if (subQueue === "deadLetter") return entity.deadLetters;
  if (subQueue === "transferDeadLetter") return entity.transferDeadLetters;
  return entity.store;
}

const STATES = new Set<string>(["active", "deferred", "scheduled"]);

export interface PeekQuery {
  state: string | null;
  from: string | null;
  max: string | null;
}

function integerParam(name: string, raw: string | null, fallback: number, min: number, max: number): number {
  if (raw === null || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw explorerError(400, "BadRequest", `The query parameter '${name}' must be an integer from ${min} to ${max}, got '${raw}'.`);
  return n;
}

export function peekStore(store: MessageStore | undefined, query: PeekQuery): MessageView[] {
  const state = query.state ?? "all";
  if (state !== "all" && !STATES.has(state)) throw explorerError(400, "BadRequest", `'state' must be one of all, active, deferred, scheduled; got '${state}'.`);
  const from = integerParam("from", query.from, 0, 0, Number.MAX_SAFE_INTEGER);
  const max = integerParam("max", query.max, 100, 1, 5000);
  if (!store) return [];
  const out: MessageView[] = [];
  for (const record of store.peek(from, Number.POSITIVE_INFINITY)) {
    if (out.length >= max) break;
    if (state !== "all" && record.state !== (state as MessageState)) continue;
    out.push(messageView(record));
  }
  return out;
}

/** Purges one sub-queue of a queue or subscription, or every subscription of a topic; returns how many went. */
export function purge(entity: Entity, subQueue: SubQueue): number {
  if (entity.kind === "topic") {
    let purged = storeOf(entity, "main")?.purge() ?? 0;
    for (const subscription of entity.subscriptions.values()) purged += subscription.store.purge();
    return purged;
  }
  return storeOf(entity, subQueue)!.purge();
}

export interface ResubmitResult {
  resubmitted: number[];
  notFound: number[];
}

/**
 * Sends dead letters again, without their DeadLetterReason and DeadLetterErrorDescription, and removes them from the
 * dead-letter queue: all of them, or those with the given sequence numbers. As with Azure's Service Bus Explorer,
 * each is a new message (new sequence number, delivery count 0) sent to the queue, or for a subscription to its
 * topic (the only thing Azure can send to), whose rules route it again.
 */
export function resubmit(namespace: Namespace, entity: Entity, sequenceNumbers: number[] | undefined): ResubmitResult {
  if (entity.kind === "topic") throw explorerError(400, "BadRequest", `'${entity.name}' is a topic: resubmit the dead letters of one of its subscriptions.`);
  const topicName = entity.kind === "subscription" ? entity.topicName : "";
  const target: Queue | Topic | undefined = entity.kind === "queue" ? entity : namespace.topics.get(topicName.toLowerCase());
  if (!target) throw explorerError(404, "EntityNotFound", `The topic '${topicName}' no longer exists.`);
  const deadLetters = entity.deadLetters;
  const wanted = sequenceNumbers ?? deadLetters.peek(0, Number.POSITIVE_INFINITY).map((r) => r.sequenceNumber);
  const result: ResubmitResult = { resubmitted: [], notFound: [] };
  for (const seq of wanted) {
    const record = deadLetters.peek(seq, 1)[0];
    if (!record || record.sequenceNumber !== seq) {
      result.notFound.push(seq);
      continue;
    }
    const editor = record.payload.edit();
    editor.removeUser("DeadLetterReason");
    editor.removeUser("DeadLetterErrorDescription");
    try {
      target.send([editor.finish()]);
    } catch (err) {
      // The entity refused it (disabled, a session entity and no session id...): it stays a dead letter.
      throw explorerError(409, "ResubmitRefused", `Message ${seq} could not be sent to '${target.name}': ${(err as Error).message}`);
    }
    deadLetters.removeMessage(seq);
    result.resubmitted.push(seq);
  }
  return result;
}

export function storeCounts(store: MessageStore | undefined): object {
  return store ? countStore(store) : { active: 0, deferred: 0, scheduled: 0, sizeInBytes: 0 };
}
