/**
 * Which messages each consumer of the app reads, by where it reads them: the subscriptions of the `commands` and
 * `events` topics and the Event Grid subscription of notify-fan. The functions parse with these lists, and
 * test/system/config.test.ts checks the topology in topology/ against them (each command reaches exactly
 * one handler; each consumer gets every message it reads and nothing else of the catalog).
 */
import { concertCommandNames } from "../domain/concert.js";
import { purchaseCommandNames } from "../domain/purchase.js";
import type { MessageName } from "../events/catalog.js";
import { fanCommandNames } from "../fans/fan.js";
import { purchaseProcessMessageNames } from "../sagas/purchase-process.js";
import { projectionEventNames } from "../projections/read-models.js";
import { paymentCommandNames } from "../services/payment/payment-stream.js";

/** Subscription name of topic `commands` -> the command types its handler accepts. */
export const commandConsumers = {
  concerts: concertCommandNames,
  purchases: purchaseCommandNames,
  payments: paymentCommandNames,
  "ticketing-provider": ["IssueTickets"],
  fans: fanCommandNames,
} as const satisfies Record<string, readonly MessageName[]>;

/** Subscription name of topic `events` -> the event and timeout types its consumer reads. */
export const eventConsumers = {
  "purchase-process": purchaseProcessMessageNames,
  email: ["PurchaseCompleted", "PurchaseCancelled", "FanRegistered"],
  "fan-replica": ["FanProfileUpdated"],
  // The read models: every event of the purchase and concert streams (src/projections/read-models.ts).
  projections: projectionEventNames,
} as const satisfies Record<string, readonly MessageName[]>;

/** Event Grid-triggered function -> the event types it reads (the catalog's `notify` events). */
export const notificationConsumers = {
  "notify-fan": ["PurchaseCompleted", "PurchaseCancelled"],
} as const satisfies Record<string, readonly MessageName[]>;
