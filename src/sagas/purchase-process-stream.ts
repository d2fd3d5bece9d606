/** The purchase process's own stream, `purchase-process-<purchaseId>`: the messages that moved it on. */
import type { StreamDefinition } from "../eventstore/stream-repository.js";
import {
  evolvePurchaseProcess,
  type PurchaseProcess,
  type PurchaseProcessMessageName,
  purchaseProcessMessageNames,
  purchaseProcessSnapshotSchemaVersion,
} from "./purchase-process.js";

export const purchaseProcessStream: StreamDefinition<PurchaseProcess, PurchaseProcessMessageName> = {
  prefix: "purchase-process-",
  eventNames: purchaseProcessMessageNames,
  snapshotSchemaVersion: purchaseProcessSnapshotSchemaVersion,
  initial: () => undefined,
  evolve: evolvePurchaseProcess,
};
