/**
 * The Service Bus part of the dashboard's state: the explorer's entity list (same counts, explorer-operations.ts)
 * with what the page shows beside it: each entity's main settings, each subscription's rules, and the sessions of
 * session entities (messages, lock, state). Peek, purge and resubmit stay the explorer's own endpoints.
 * Counts come from the stores' running counters, not the explorer's full pass over every message: the page asks for
 * this view a few times a second while messages flow, and it must stay cheap however deep the queues are.
 */
import type { MessageStore } from "../servicebus/model/message-store.js";
import type { Namespace } from "../servicebus/model/namespace.js";
import type { Queue } from "../servicebus/model/queue.js";
import type { Subscription } from "../servicebus/model/subscription.js";
import { entityPath } from "../servicebus/explorer/explorer-operations.js";

const STATE_PREVIEW_CHARS = 200;

function countsOf(entity: Queue | Subscription): object {
  const { active, deferred, scheduled } = entity.store.counts;
  const deadLetter = entity.deadLetters.messageCount;
  const transferDeadLetter = entity.transferDeadLetters.messageCount;
  const total = entity.store.messageCount + deadLetter + transferDeadLetter;
  return { active, deferred, scheduled, deadLetter, transferDeadLetter, total };
}

function sessionsOf(store: MessageStore): object[] {
  return store.describeSessions().map((s) => {
    const state = s.stateBytes > 0 ? store.peekSessionState(s.sessionId) : undefined;
    return {
      sessionId: s.sessionId,
      messages: s.messages,
      lockedUntilUtc: s.lockedUntil === undefined ? null : new Date(s.lockedUntil).toISOString(),
      state: state ? state.toString("utf8", 0, Math.min(state.length, STATE_PREVIEW_CHARS)) : null,
      stateBytes: s.stateBytes,
    };
  });
}

export function serviceBusView(namespace: Namespace): object {
  return {
    namespace: namespace.name,
    queues: [...namespace.queues.values()].map((q) => ({
      name: q.name,
      path: q.name,
      counts: countsOf(q),
      requiresSession: q.options.requiresSession === true,
      maxDeliveryCount: q.options.maxDeliveryCount,
      forwardTo: q.options.forwardTo ?? null,
      sessions: sessionsOf(q.store),
    })),
    topics: [...namespace.topics.values()].map((t) => ({
      name: t.name,
      path: t.name,
      counts: { scheduled: t.scheduled.counts.scheduled },
      subscriptions: [...t.subscriptions.values()].map((s) => ({
        name: s.name,
        path: entityPath(s),
        counts: countsOf(s),
        requiresSession: s.options.requiresSession === true,
        maxDeliveryCount: s.options.maxDeliveryCount,
        forwardTo: s.options.forwardTo ?? null,
        rules: s.rules,
        sessions: sessionsOf(s.store),
      })),
    })),
  };
}
