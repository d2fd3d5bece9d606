/**
 * An event as a projection sees it: which stream it belongs to and at what version, its catalog name and its data
 * at the current version (upcast). Every domain event carries both in its envelope: id `<streamId>:<version>` and
 * subject = stream id (src/messaging/message-consumer.ts), so a consumer of the bus knows where the event stands in
 * its stream without asking the store.
 */
import { type CatalogMessage, InvalidMessageError, type MessageData, type MessageName, readMessage, upcastData } from "../events/catalog.js";
import type { StoredEvent } from "../eventstore/event-store.js";

export type ProjectedEvent<N extends MessageName = MessageName> = {
  [K in N]: { streamId: string; version: number; id: string; name: K; data: MessageData<K> };
}[N];

/** Where an event stands in its stream, from its envelope; InvalidMessageError when the envelope does not say. */
export function streamPositionOf(message: { id: string; subject?: string }): { streamId: string; version: number } {
  const streamId = message.subject;
  const suffix = streamId && message.id.startsWith(`${streamId}:`) ? message.id.slice(streamId.length + 1) : "";
  const version = /^[1-9]\d{0,9}$/.test(suffix) ? Number(suffix) : NaN;
  if (!streamId || !Number.isSafeInteger(version)) {
    throw new InvalidMessageError(`event ${message.id} does not name its stream position (expected id "<subject>:<version>", subject "${streamId ?? ""}")`);
  }
  return { streamId, version };
}

/** Reads a bus message (Service Bus body, Kafka value) as one of `names`, with its stream position. */
export function projectedEventOf<N extends MessageName>(body: unknown, names: readonly N[]): ProjectedEvent<N> {
  const { name, message } = readMessage(body, names);
  return fromMessage(name, message);
}

export function fromMessage<N extends MessageName>(name: N, message: CatalogMessage<N>): ProjectedEvent<N> {
  const { streamId, version } = streamPositionOf(message);
  return { streamId, version, id: message.id, name, data: message.data } as ProjectedEvent<N>;
}

/** An event read back from the event store (any stored version of its type, upcast to the current one). */
export function fromStored(stored: StoredEvent): ProjectedEvent {
  const { name, data } = upcastData(stored.event.type, stored.event.data);
  return { streamId: stored.streamId, version: stored.version, id: stored.event.id, name, data } as ProjectedEvent;
}
