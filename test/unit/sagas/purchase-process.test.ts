import { describe, expect, it } from "vitest";
import { type CatalogMessage, createMessage, type MessageData } from "../../../src/events/catalog.js";
import {
  decidePurchaseProcess,
  foldPurchaseProcess,
  type PurchaseProcess,
  type PurchaseProcessMessageName,
} from "../../../src/sagas/purchase-process.js";

const now = new Date("2026-06-01T18:00:00.000Z");
const settings = { reservationTimeoutMs: 10 * 60_000 };
const fan = { id: "fan-1", email: "ada@example.com" };

const data: { [N in PurchaseProcessMessageName]: MessageData<N> } = {
  PurchasePlaced: { purchaseId: "p1", concertId: "c1", fan, tier: "standard", quantity: 2, unitPriceCents: 5000, totalCents: 10000, placedAt: "2026-06-01T17:59:00.000Z" },
  TicketsReserved: { concertId: "c1", purchaseId: "p1", tier: "standard", quantity: 2, reservedAt: "2026-06-01T17:59:30.000Z" },
  ReservationRejected: { concertId: "c1", purchaseId: "p1", tier: "standard", quantity: 2, available: 1, reason: "sold-out" },
  PaymentCaptured: { purchaseId: "p1", paymentId: "pay-1", amountCents: 10000, capturedAt: "2026-06-01T18:00:00.000Z" },
  PaymentDeclined: { purchaseId: "p1", amountCents: 10000, reason: "card declined" },
  TicketsIssued: { purchaseId: "p1", concertId: "c1", ticketIds: ["t1", "t2"], providerReference: "ref-1" },
  TicketIssueFailed: { purchaseId: "p1", concertId: "c1", reason: "tickets-unavailable", detail: "provider has no seats" },
  PaymentRefunded: { purchaseId: "p1", paymentId: "pay-1", amountCents: 10000, refundedAt: "2026-06-01T18:01:00.000Z" },
  ReservationExpired: { purchaseId: "p1", concertId: "c1", heldSince: "2026-06-01T17:59:30.000Z" },
};

function message<N extends PurchaseProcessMessageName>(name: N): CatalogMessage<PurchaseProcessMessageName> {
  return createMessage(name, data[name], { id: `m-${name}`, correlationId: "corr-1", traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" }) as CatalogMessage<PurchaseProcessMessageName>;
}

/** The state after handling `given` in order, rebuilt as a handler would load it: by folding the recorded events. */
function stateAfter(given: PurchaseProcessMessageName[]): PurchaseProcess {
  let state: PurchaseProcess = undefined;
  for (const name of given) {
    const { events } = decidePurchaseProcess(state, message(name), now, settings);
    state = foldPurchaseProcess(state, events);
  }
  return state;
}

/** What the process sends: command or timeout name with the data that matters. */
function sent(given: PurchaseProcessMessageName[], when: PurchaseProcessMessageName): Array<[string, unknown]> {
  const { outbox } = decidePurchaseProcess(stateAfter(given), message(when), now, settings);
  return outbox.map((o) => [o.message.type.split(".")[2], o.message.data]);
}

const reserved: PurchaseProcessMessageName[] = ["PurchasePlaced", "TicketsReserved"];
const paid: PurchaseProcessMessageName[] = [...reserved, "PaymentCaptured"];
const issueFailed: PurchaseProcessMessageName[] = [...paid, "TicketIssueFailed"];
const expired: PurchaseProcessMessageName[] = [...reserved, "ReservationExpired"];

const release = (reason: string) => ["ReleaseTickets", { concertId: "c1", purchaseId: "p1", reason }];
const cancel = (reason: string, refunded: boolean, detail?: string) => ["CancelPurchase", { purchaseId: "p1", reason, refunded, ...(detail ? { detail } : {}) }];
const refund = ["RefundPayment", { purchaseId: "p1", paymentId: "pay-1", amountCents: 10000 }];

describe("purchase process: every branch", () => {
  it.each<[string, PurchaseProcessMessageName[], PurchaseProcessMessageName, Array<[string, unknown]>]>([
    ["placed -> reserve", [], "PurchasePlaced", [["ReserveTickets", { concertId: "c1", purchaseId: "p1", tier: "standard", quantity: 2 }]]],
    [
      "reserved -> capture the payment, schedule the timeout",
      ["PurchasePlaced"],
      "TicketsReserved",
      [
        ["CapturePayment", { purchaseId: "p1", fanId: "fan-1", amountCents: 10000 }],
        ["ReservationExpired", { purchaseId: "p1", concertId: "c1", heldSince: "2026-06-01T17:59:30.000Z" }],
      ],
    ],
    ["rejected (sold out) -> cancel, nothing to refund", ["PurchasePlaced"], "ReservationRejected", [cancel("sold-out", false, "1 standard ticket(s) left, 2 requested")] as never],
    ["captured -> issue the tickets", reserved, "PaymentCaptured", [["IssueTickets", { purchaseId: "p1", concertId: "c1", fan, tier: "standard", quantity: 2 }]]],
    ["declined -> release, then cancel", reserved, "PaymentDeclined", [release("payment-declined"), cancel("payment-declined", false, "card declined")] as never],
    ["issued -> complete", paid, "TicketsIssued", [["CompletePurchase", { purchaseId: "p1", ticketIds: ["t1", "t2"], paymentId: "pay-1" }]]],
    ["issue failed -> refund, then release (compensation), no cancel yet", paid, "TicketIssueFailed", [refund, release("tickets-unavailable")] as never],
    ["refunded after the compensation -> cancel, refunded", issueFailed, "PaymentRefunded", [cancel("tickets-unavailable", true, "provider has no seats")] as never],
    ["reservation expired unpaid -> release, then cancel", reserved, "ReservationExpired", [release("reservation-expired"), cancel("reservation-expired", false)] as never],
    ["captured after the reservation expired -> refund", expired, "PaymentCaptured", [refund] as never],
    ["the refund of that late capture -> nothing more", [...expired, "PaymentCaptured"], "PaymentRefunded", []],
    ["reservation expired once paid -> nothing", paid, "ReservationExpired", []],
    ["reservation expired after completion -> nothing", [...paid, "TicketsIssued"], "ReservationExpired", []],
    ["a message for a completed purchase -> nothing", [...paid, "TicketsIssued"], "PaymentDeclined", []],
    ["a message for a cancelled purchase -> nothing", ["PurchasePlaced", "ReservationRejected"], "TicketsReserved", []],
    ["a timeout for a cancelled purchase -> nothing", [...reserved, "PaymentDeclined"], "ReservationExpired", []],
    ["tickets issued after the issue failed -> nothing", issueFailed, "TicketsIssued", []],
    ["a second PurchasePlaced -> nothing", ["PurchasePlaced"], "PurchasePlaced", []],
    ["a second TicketsReserved -> nothing", reserved, "TicketsReserved", []],
    ["a second PaymentCaptured -> nothing", paid, "PaymentCaptured", []],
    ["a refund nobody asked for -> nothing", reserved, "PaymentRefunded", []],
    ["a message before the purchase was placed -> nothing", [], "TicketsReserved", []],
  ])("%s", (_title, given, when, expected) => {
    expect(sent(given, when)).toEqual(expected);
  });
});

describe("purchase process: the messages it produces", () => {
  it("commands go on the commands channel, the timeout on events, scheduled and in the purchase's session", () => {
    const { outbox } = decidePurchaseProcess(stateAfter(["PurchasePlaced"]), message("TicketsReserved"), now, settings);
    expect(outbox.map((o) => ({ channel: o.channel, sessionId: o.sessionId, scheduledFor: o.scheduledFor }))).toEqual([
      { channel: "commands", sessionId: undefined, scheduledFor: undefined },
      { channel: "events", sessionId: "p1", scheduledFor: "2026-06-01T18:10:00.000Z" },
    ]);
    expect(outbox[1].message.type).toBe("MusicFest.Purchases.ReservationExpired.v1");
  });

  it("every message has a deterministic id from its cause, the cause's correlation and trace, and the cause as causation", () => {
    const cause = message("TicketIssueFailed");
    const { outbox } = decidePurchaseProcess(stateAfter(paid), cause, now, settings);
    expect(outbox.map((o) => o.message.id)).toEqual(["m-TicketIssueFailed:RefundPayment", "m-TicketIssueFailed:ReleaseTickets"]);
    for (const { message: m } of outbox) {
      expect(m).toMatchObject({ correlationid: "corr-1", causationid: "m-TicketIssueFailed", traceparent: cause.traceparent, subject: "purchases/p1", time: now.toISOString() });
    }
  });

  it("deciding the same message on the same state again gives the same messages (a retry after a crash)", () => {
    const state = stateAfter(["PurchasePlaced"]);
    const first = decidePurchaseProcess(state, message("TicketsReserved"), now, settings);
    const again = decidePurchaseProcess(state, message("TicketsReserved"), now, settings);
    expect(again).toEqual(first);
  });

  it("records the handled message in its own stream only when it moved the process on", () => {
    const moved = decidePurchaseProcess(stateAfter(["PurchasePlaced"]), message("TicketsReserved"), now, settings);
    expect(moved.events).toHaveLength(1);
    expect(moved.events).toEqual([{ name: "TicketsReserved", data: data.TicketsReserved }]);
    expect(decidePurchaseProcess(stateAfter(reserved), message("TicketsReserved"), now, settings)).toEqual({ events: [], outbox: [] });
  });

  it("the state replayed from the recorded events says where the purchase is", () => {
    expect(stateAfter(paid)).toMatchObject({ step: "issuing", payment: { paymentId: "pay-1", amountCents: 10000, refunded: false } });
    expect(stateAfter([...issueFailed, "PaymentRefunded"])).toMatchObject({ step: "cancelled", cancellation: { reason: "tickets-unavailable" }, payment: { refunded: true } });
    expect(stateAfter([...expired, "PaymentCaptured", "PaymentRefunded"])).toMatchObject({ step: "cancelled", cancellation: { reason: "reservation-expired" }, payment: { refunded: true } });
    expect(stateAfter([...paid, "TicketsIssued"])).toMatchObject({ step: "completed", ticketIds: ["t1", "t2"] });
  });

  it("the timeout follows Purchase__reservationTimeout", () => {
    const { outbox } = decidePurchaseProcess(stateAfter(["PurchasePlaced"]), message("TicketsReserved"), now, { reservationTimeoutMs: 30_000 });
    expect(outbox[1].scheduledFor).toBe("2026-06-01T18:00:30.000Z");
  });
});
