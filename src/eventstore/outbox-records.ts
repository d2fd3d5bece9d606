/**
 * How a commit's outbox messages become records, the same in every store: the record id is the message id when
 * it is a safe Table Storage key, else a hash of it, so producing the same message again (a handler retried after a
 * crash) writes the same record instead of a second one.
 */
import { createHash } from "node:crypto";
import type { OutboxMessage, OutboxRecord } from "./event-store.js";

// Table Storage keys refuse / \ # ? and control characters; keep ids short enough to sit in a RowKey with a prefix.
const safeKey = /^[A-Za-z0-9:._@+=,;!$'()*~-]{1,200}$/;

/** `value` when it is safe inside a Table Storage key, else a hash of it (stable, collision-free in practice). */
export function keySafe(value: string): string {
  return safeKey.test(value) ? value : `h-${createHash("sha256").update(value).digest("base64url")}`;
}

export function outboxRecordId(message: OutboxMessage["message"]): string {
  return keySafe(message.id);
}

export function toOutboxRecords(streamId: string, messages: readonly OutboxMessage[], createdAt: Date): OutboxRecord[] {
  const at = createdAt.toISOString();
  return messages.map((m) => ({ ...m, streamId, recordId: outboxRecordId(m.message), createdAt: at }));
}

/** Oldest first; records of one commit keep their order. */
export function byCreation(a: OutboxRecord, b: OutboxRecord): number {
  return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0;
}
