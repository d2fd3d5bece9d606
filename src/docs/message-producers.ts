/**
 * Who sends what, for the AsyncAPI document's send operations. Events and their senders follow from the catalog:
 * each bounded context publishes its own events (its command handler appends them to its streams; the outbox relay
 * sends them). Commands say nothing about their sender, so this table does; the generator refuses a catalog
 * command that is missing here, so a new command cannot go undocumented.
 */
import type { MessageName } from "../events/catalog.js";

export interface Producer {
  /** Operation id prefix: kebab-case. */
  id: string;
  title: string;
  description: string;
}

export const commandSenders: readonly (Producer & { commands: readonly MessageName[] })[] = [
  {
    id: "ticketing-api",
    title: "Ticketing HTTP API",
    description:
      "`POST /api/purchases` and `POST /api/concerts` validate the request, then send the command directly (not through the outbox) " +
      "and answer 202 Accepted with the Location to poll (asynchronous request-reply). A failed send answers 503 and nothing is written.",
    commands: ["PlacePurchase", "ScheduleConcert"],
  },
  {
    id: "fans-api",
    title: "Fans HTTP API (the fans service)",
    description:
      "`POST /api/fans` and `PUT /api/fans/{id}` validate the profile, check the fan's stream (409 another profile under a registered id, 404 unknown fan), " +
      "then send the command directly and answer 202 Accepted with the Location (`GET /api/fans/{id}`).",
    commands: ["RegisterFan", "UpdateFanProfile"],
  },
  {
    id: "purchase-process",
    title: "Purchase process (orchestration saga)",
    description:
      "Drives one purchase from PurchasePlaced to completion or cancellation, compensating on the way. Its commands are written to the " +
      "outbox with its own stream's events and sent by the outbox relay; their ids are `<causing message id>:<CommandName>`.",
    commands: ["ReserveTickets", "ReleaseTickets", "CapturePayment", "RefundPayment", "IssueTickets", "CompletePurchase", "CancelPurchase"],
  },
];

export const timeoutSenders: readonly (Producer & { timeouts: readonly MessageName[] })[] = [
  {
    id: "purchase-process",
    title: "Purchase process (orchestration saga)",
    description:
      "Schedules the timeout to itself: a scheduled message (ScheduledEnqueueTimeUtc = now + `Purchase__reservationTimeout`) on the " +
      "events topic with the purchase id as session id, so it reaches the purchase's session in order with its other messages.",
    timeouts: ["ReservationExpired"],
  },
];

/** `TicketingProvider` -> `ticketing-provider`. */
export function kebabCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
}
