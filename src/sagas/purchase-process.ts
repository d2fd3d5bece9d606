/**
 * The purchase process (an orchestration saga, keyed by purchase id): reserve the tickets, capture the payment,
 * have the provider issue the tickets, then complete the purchase; on the way, compensate what went wrong.
 *
 *   PurchasePlaced       -> ReserveTickets
 *   TicketsReserved      -> CapturePayment + the timeout ReservationExpired (scheduled, session = purchase id)
 *   ReservationRejected  -> CancelPurchase(sold-out)
 *   PaymentCaptured      -> IssueTickets; after the purchase was cancelled (the reservation expired first): RefundPayment
 *   PaymentDeclined      -> ReleaseTickets + CancelPurchase(payment-declined)
 *   TicketsIssued        -> CompletePurchase
 *   TicketIssueFailed    -> RefundPayment + ReleaseTickets; then PaymentRefunded -> CancelPurchase(tickets-unavailable, refunded)
 *   ReservationExpired   -> while unpaid: ReleaseTickets + CancelPurchase(reservation-expired); otherwise nothing
 *
 * Any other message at any other step changes nothing and sends nothing (a duplicate, a late timeout, a message for
 * a finished purchase). The process's stream `purchase-process-<id>` records each message that moved it on (same
 * type and data, never published), so its state is the fold of what it handled; `transition` is the one place that
 * says both how the state moves and what it sends, and `decide` turns the sends into messages with deterministic
 * ids (`<causing message id>:<Name>`), so a handler retried after a crash sends the very same messages again.
 */
import { type CatalogMessage, createMessage, type MessageData, messageNameOf } from "../events/catalog.js";
import { causedBy } from "../events/envelope.js";
import type { OutboxMessage } from "../eventstore/event-store.js";
import type { CancellationReason, Fan } from "../domain/purchase.js";
import type { TicketTier } from "../domain/concert.js";

export const purchaseProcessMessageNames = [
  "PurchasePlaced",
  "TicketsReserved",
  "ReservationRejected",
  "PaymentCaptured",
  "PaymentDeclined",
  "TicketsIssued",
  "TicketIssueFailed",
  "PaymentRefunded",
  "ReservationExpired",
] as const;
export type PurchaseProcessMessageName = (typeof purchaseProcessMessageNames)[number];
export type PurchaseProcessInput = { [N in PurchaseProcessMessageName]: { name: N; data: MessageData<N> } }[PurchaseProcessMessageName];

export type PurchaseProcessStep = "reserving" | "paying" | "issuing" | "compensating" | "completed" | "cancelled";

export interface PurchaseProcessState {
  purchaseId: string;
  concertId: string;
  fan: Fan;
  tier: TicketTier;
  quantity: number;
  totalCents: number;
  step: PurchaseProcessStep;
  /** When the tickets were reserved (the timeout's `heldSince`). */
  reservedAt?: string;
  payment?: { paymentId: string; amountCents: number; refunded: boolean };
  /** The outcome chosen once the purchase is going to be cancelled. */
  cancellation?: { reason: CancellationReason; detail?: string };
  ticketIds?: string[];
}

export type PurchaseProcess = PurchaseProcessState | undefined;

export interface PurchaseProcessSettings {
  /** How long tickets are held unpaid before the process releases them (Purchase__reservationTimeout). */
  reservationTimeoutMs: number;
}

export const purchaseProcessSnapshotSchemaVersion = 1;

export function purchaseProcessStreamId(purchaseId: string): string {
  return `purchase-process-${purchaseId}`;
}

export function isFinished(process: PurchaseProcess): boolean {
  return process?.step === "completed" || process?.step === "cancelled";
}

/** What a transition asks for, before it becomes a message: a command to send or a timeout to schedule. */
export type ProcessAction =
  | { send: "ReserveTickets"; data: MessageData<"ReserveTickets"> }
  | { send: "ReleaseTickets"; data: MessageData<"ReleaseTickets"> }
  | { send: "CapturePayment"; data: MessageData<"CapturePayment"> }
  | { send: "RefundPayment"; data: MessageData<"RefundPayment"> }
  | { send: "IssueTickets"; data: MessageData<"IssueTickets"> }
  | { send: "CompletePurchase"; data: MessageData<"CompletePurchase"> }
  | { send: "CancelPurchase"; data: MessageData<"CancelPurchase"> }
  | { schedule: "ReservationExpired"; data: MessageData<"ReservationExpired"> };

const unchanged = (state: PurchaseProcess): { next: PurchaseProcess; actions: ProcessAction[] } => ({ next: state, actions: [] });

/** The next state and what to send. `next === state` means the message changed nothing (and is not recorded). */
export function transition(state: PurchaseProcess, input: PurchaseProcessInput): { next: PurchaseProcess; actions: ProcessAction[] } {
  if (input.name === "PurchasePlaced") {
    if (state) return unchanged(state);
    const d = input.data;
    return {
      next: { purchaseId: d.purchaseId, concertId: d.concertId, fan: d.fan, tier: d.tier, quantity: d.quantity, totalCents: d.totalCents, step: "reserving" },
      actions: [{ send: "ReserveTickets", data: { concertId: d.concertId, purchaseId: d.purchaseId, tier: d.tier, quantity: d.quantity } }],
    };
  }
  if (!state) return unchanged(state); // nothing is known of this purchase: there is nothing to move on
  const s = state;
  const release = (reason: CancellationReason): ProcessAction => ({ send: "ReleaseTickets", data: { concertId: s.concertId, purchaseId: s.purchaseId, reason } });
  const cancel = (reason: CancellationReason, refunded: boolean, detail?: string): ProcessAction => ({
    send: "CancelPurchase",
    data: { purchaseId: s.purchaseId, reason, refunded, ...(detail === undefined ? {} : { detail }) },
  });

  switch (input.name) {
    case "TicketsReserved": {
      if (s.step !== "reserving") return unchanged(s);
      return {
        next: { ...s, step: "paying", reservedAt: input.data.reservedAt },
        actions: [
          { send: "CapturePayment", data: { purchaseId: s.purchaseId, fanId: s.fan.id, amountCents: s.totalCents } },
          { schedule: "ReservationExpired", data: { purchaseId: s.purchaseId, concertId: s.concertId, heldSince: input.data.reservedAt } },
        ],
      };
    }
    case "ReservationRejected": {
      if (s.step !== "reserving") return unchanged(s);
      const detail = `${input.data.available} ${input.data.tier} ticket(s) left, ${input.data.quantity} requested`;
      return { next: { ...s, step: "cancelled", cancellation: { reason: "sold-out", detail } }, actions: [cancel("sold-out", false, detail)] };
    }
    case "PaymentCaptured": {
      if (s.payment) return unchanged(s);
      const payment = { paymentId: input.data.paymentId, amountCents: input.data.amountCents, refunded: false };
      const refund: ProcessAction = { send: "RefundPayment", data: { purchaseId: s.purchaseId, paymentId: payment.paymentId, amountCents: payment.amountCents } };
      // Money taken for a purchase already cancelled (its reservation expired while the capture was under way) goes back.
      if (s.step === "cancelled") return { next: { ...s, payment }, actions: [refund] };
      if (s.step !== "paying") return unchanged(s);
      return {
        next: { ...s, step: "issuing", payment },
        actions: [{ send: "IssueTickets", data: { purchaseId: s.purchaseId, concertId: s.concertId, fan: s.fan, tier: s.tier, quantity: s.quantity } }],
      };
    }
    case "PaymentDeclined": {
      if (s.step !== "paying") return unchanged(s);
      const detail = input.data.reason;
      return { next: { ...s, step: "cancelled", cancellation: { reason: "payment-declined", detail } }, actions: [release("payment-declined"), cancel("payment-declined", false, detail)] };
    }
    case "TicketsIssued": {
      if (s.step !== "issuing" || !s.payment) return unchanged(s);
      return {
        next: { ...s, step: "completed", ticketIds: input.data.ticketIds },
        actions: [{ send: "CompletePurchase", data: { purchaseId: s.purchaseId, ticketIds: input.data.ticketIds, paymentId: s.payment.paymentId } }],
      };
    }
    case "TicketIssueFailed": {
      if (s.step !== "issuing" || !s.payment) return unchanged(s);
      const { paymentId, amountCents } = s.payment;
      // Compensation, in this order: the money back first (it is the fan's), then the tickets back to the inventory;
      // the purchase is cancelled only once the refund is confirmed, so "cancelled" always means "refunded".
      return {
        next: { ...s, step: "compensating", cancellation: { reason: "tickets-unavailable", detail: input.data.detail } },
        actions: [{ send: "RefundPayment", data: { purchaseId: s.purchaseId, paymentId, amountCents } }, release("tickets-unavailable")],
      };
    }
    case "PaymentRefunded": {
      if (!s.payment || s.payment.refunded) return unchanged(s);
      const next: PurchaseProcessState = { ...s, payment: { ...s.payment, refunded: true } };
      if (s.step !== "compensating") return { next, actions: [] }; // the refund of a late capture: recorded, nothing more to do
      const detail = s.cancellation?.detail;
      return { next: { ...next, step: "cancelled" }, actions: [cancel("tickets-unavailable", true, detail)] };
    }
    case "ReservationExpired": {
      if (s.step !== "paying") return unchanged(s); // paid, or finished: the timeout is stale
      return {
        next: { ...s, step: "cancelled", cancellation: { reason: "reservation-expired" } },
        actions: [release("reservation-expired"), cancel("reservation-expired", false)],
      };
    }
  }
}

export function evolvePurchaseProcess(state: PurchaseProcess, input: PurchaseProcessInput): PurchaseProcess {
  return transition(state, input).next;
}

export function foldPurchaseProcess(state: PurchaseProcess, inputs: Iterable<PurchaseProcessInput>): PurchaseProcess {
  let current = state;
  for (const input of inputs) current = evolvePurchaseProcess(current, input);
  return current;
}

export interface PurchaseProcessDecision {
  /**
   * For the process's own stream (not published): the handled message's name and data, recorded when it moved the
   * process on. The consumer runner wraps it in its envelope (id `<streamId>:<version>`, caused by the message).
   */
  events: PurchaseProcessInput[];
  /** Commands (channel `commands`) and the scheduled timeout (channel `events`). */
  outbox: OutboxMessage[];
}

export function inputOf(message: CatalogMessage<PurchaseProcessMessageName>): PurchaseProcessInput {
  const name = messageNameOf(message.type);
  if (!name || !(purchaseProcessMessageNames as readonly string[]).includes(name)) throw new Error(`The purchase process does not handle ${message.type}.`);
  return { name, data: message.data } as PurchaseProcessInput;
}

export function decidePurchaseProcess(state: PurchaseProcess, message: CatalogMessage<PurchaseProcessMessageName>, now: Date, settings: PurchaseProcessSettings): PurchaseProcessDecision {
  const input = inputOf(message);
  const { next, actions } = transition(state, input);
  if (next === state) return { events: [], outbox: [] };
  const context = causedBy(message);
  const subject = `purchases/${input.data.purchaseId}`;
  const options = (name: string) => ({ ...context, id: `${message.id}:${name}`, subject, time: now });
  const events = [input];
  const outbox = actions.map((action): OutboxMessage => {
    if ("schedule" in action) {
      return {
        message: createMessage(action.schedule, action.data, options(action.schedule)),
        channel: "events",
        sessionId: action.data.purchaseId,
        scheduledFor: new Date(now.getTime() + settings.reservationTimeoutMs).toISOString(),
      };
    }
    return { message: createMessage(action.send, action.data as never, options(action.send)), channel: "commands" };
  });
  return { events, outbox };
}
