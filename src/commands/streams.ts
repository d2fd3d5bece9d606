/**
 * How the aggregates' streams are loaded: the stream id prefix, the events each may hold and how they fold into
 * the state. Shared by the command handlers (which write) and the queries (which only read).
 */
import { type Concert, concertEventNames, type ConcertEventName, concertSnapshotSchemaVersion, evolveConcert } from "../domain/concert.js";
import { evolvePurchase, type Purchase, purchaseEventNames, type PurchaseEventName } from "../domain/purchase.js";
import type { StreamDefinition } from "../eventstore/stream-repository.js";

export const concertStream: StreamDefinition<Concert, ConcertEventName> = {
  prefix: "concert-",
  eventNames: concertEventNames,
  snapshotSchemaVersion: concertSnapshotSchemaVersion,
  initial: () => undefined,
  evolve: evolveConcert,
};

export const purchaseStream: StreamDefinition<Purchase, PurchaseEventName> = {
  prefix: "purchase-",
  eventNames: purchaseEventNames,
  snapshotSchemaVersion: 1,
  initial: () => undefined,
  evolve: evolvePurchase,
};
