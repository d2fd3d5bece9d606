/**
 * The write side in one process, for unit tests of the purchase process with the real handlers: the concerts and
 * purchases handlers and the purchase process on an in-memory event store, with the relay's records routed as the
 * topology would route them (commands by type, events to the process when it subscribes to them). Scheduled
 * messages wait for the test to move the clock. Payment and the ticketing provider (another helper's services, on
 * their own streams) answer with scripted replies, their events built from the catalog as those services do.
 */
import { handleConcertCommand } from "../../../src/commands/concerts-handler.js";
import { handlePurchaseCommand } from "../../../src/commands/purchases-handler.js";
import { type CatalogMessage, createMessage, type MessageData, type MessageName, messageNameOf } from "../../../src/events/catalog.js";
import { causedBy, type CloudEvent } from "../../../src/events/envelope.js";
import type { OutboxRecord } from "../../../src/eventstore/event-store.js";
import { InMemoryEventStore } from "../../../src/eventstore/in-memory-event-store.js";
import { handlePurchaseProcessMessage } from "../../../src/sagas/purchase-process-handler.js";
import { purchaseProcessMessageNames } from "../../../src/sagas/purchase-process.js";

export interface Replies {
  payment: "capture" | "decline";
  tickets: "issue" | "fail";
  /** Park CapturePayment commands until `releasePayments()` (a slow gateway). */
  holdPayments?: boolean;
}

const concertCommands = new Set<MessageName>(["ScheduleConcert", "ReserveTickets", "ReleaseTickets"]);
const purchaseCommands = new Set<MessageName>(["PlacePurchase", "CompletePurchase", "CancelPurchase"]);
const processMessages = new Set<MessageName>(purchaseProcessMessageNames);

export class InProcessWriteSide {
  readonly store: InMemoryEventStore;
  /** Every message delivered, in order: the test reads the conversation from it. */
  readonly delivered: CloudEvent[] = [];
  /** What each delivery of a message to the purchase process came to. */
  readonly processOutcomes: string[] = [];
  private clock: Date;
  private readonly queue: OutboxRecord[] = [];
  private readonly scheduled: OutboxRecord[] = [];
  private readonly heldPayments: CloudEvent[] = [];
  readonly deps;

  constructor(
    start: Date,
    readonly replies: Replies = { payment: "capture", tickets: "issue" },
    readonly reservationTimeoutMs = 10 * 60_000,
  ) {
    this.clock = start;
    this.store = new InMemoryEventStore(() => this.clock);
    const relay = { deliver: async (records: readonly OutboxRecord[]) => void this.queue.push(...records) };
    this.deps = { store: this.store, relay, now: () => this.clock, settings: { reservationTimeoutMs } };
  }

  now(): Date {
    return this.clock;
  }

  /** Sends a command as the API does, then delivers everything that follows from it. */
  async send<N extends MessageName>(name: N, data: MessageData<N>, id: string): Promise<void> {
    await this.dispatch(createMessage(name, data, { id, correlationId: `corr-${id}` }));
    await this.drain();
  }

  async advance(ms: number): Promise<void> {
    this.clock = new Date(this.clock.getTime() + ms);
    const due = this.scheduled.filter((r) => Date.parse(r.scheduledFor!) <= this.clock.getTime());
    for (const r of due) this.scheduled.splice(this.scheduled.indexOf(r), 1);
    this.queue.push(...due);
    await this.drain();
  }

  async releasePayments(): Promise<void> {
    const held = this.heldPayments.splice(0);
    for (const command of held) this.answerPayment(command);
    await this.drain();
  }

  /** Delivers a message again, as a Service Bus redelivery or a duplicate send would. */
  async redeliver(message: CloudEvent): Promise<void> {
    await this.dispatch(message);
    await this.drain();
  }

  names(): string[] {
    return this.delivered.map((m) => messageNameOf(m.type)!);
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const record = this.queue.shift()!;
      if (record.scheduledFor && Date.parse(record.scheduledFor) > this.clock.getTime()) {
        this.scheduled.push(record);
        continue;
      }
      await this.dispatch(record.message);
    }
  }

  private async dispatch(message: CloudEvent): Promise<void> {
    this.delivered.push(message);
    const name = messageNameOf(message.type)!;
    const body = JSON.stringify(message);
    if (concertCommands.has(name)) await handleConcertCommand(body, this.deps);
    else if (purchaseCommands.has(name)) await handlePurchaseCommand(body, this.deps);
    else if (processMessages.has(name)) this.processOutcomes.push(`${name}:${(await handlePurchaseProcessMessage(body, this.deps)).status}`);
    else if (name === "CapturePayment") {
      if (this.replies.holdPayments) this.heldPayments.push(message);
      else this.answerPayment(message);
    } else if (name === "RefundPayment") {
      const d = message.data as MessageData<"RefundPayment">;
      this.reply(message, "PaymentRefunded", { purchaseId: d.purchaseId, paymentId: d.paymentId, amountCents: d.amountCents, refundedAt: this.clock.toISOString() });
    } else if (name === "IssueTickets") {
      const d = message.data as MessageData<"IssueTickets">;
      if (this.replies.tickets === "issue") {
        const ticketIds = Array.from({ length: d.quantity }, (_, i) => `${d.purchaseId}-t${i + 1}`);
        this.reply(message, "TicketsIssued", { purchaseId: d.purchaseId, concertId: d.concertId, ticketIds, providerReference: `ref-${d.purchaseId}` });
      } else {
        this.reply(message, "TicketIssueFailed", { purchaseId: d.purchaseId, concertId: d.concertId, reason: "tickets-unavailable", detail: "the provider has no seats left" });
      }
    }
    // Anything else (PurchaseCompleted, PurchaseCancelled, ConcertScheduled...) has no subscriber here.
  }

  private answerPayment(command: CloudEvent): void {
    const d = command.data as MessageData<"CapturePayment">;
    if (this.replies.payment === "capture") {
      this.reply(command, "PaymentCaptured", { purchaseId: d.purchaseId, paymentId: `pay-${d.purchaseId}`, amountCents: d.amountCents, capturedAt: this.clock.toISOString() });
    } else {
      this.reply(command, "PaymentDeclined", { purchaseId: d.purchaseId, amountCents: d.amountCents, reason: "card declined" });
    }
  }

  private reply<N extends MessageName>(cause: CloudEvent, name: N, data: MessageData<N>): void {
    const message: CatalogMessage<N> = createMessage(name, data, { ...causedBy(cause), id: `${cause.id}:${name}` });
    this.queue.push({ message, channel: "events", streamId: "scripted", recordId: message.id, createdAt: this.clock.toISOString() });
  }
}
