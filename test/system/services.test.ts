/**
 * The payment and ticketing-provider services as idempotent consumers, with the real Service Bus SDK against the
 * emulator and the event store and ledger on Azurite: duplicated and redelivered commands charge once; transient
 * failures are redelivered until they succeed; the provider's 503 is retried and its 409 becomes TicketIssueFailed;
 * a command that keeps failing ends in the dead-letter queue with its reason, and a resubmit gets it handled.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEntity } from "../../src/dead-letters/dead-letter-entity.js";
import { DeadLetters } from "../../src/dead-letters/dead-letters.js";
import { createMessage } from "../../src/events/catalog.js";
import { TableEventStore } from "../../src/eventstore/table-event-store.js";
import { handlePaymentCommand } from "../../src/services/payment/payment-handler.js";
import { SimulatedPaymentGateway } from "../../src/services/payment/simulated-payment-gateway.js";
import { TablePaymentLedger } from "../../src/services/payment/table-payment-ledger.js";
import { SimulatedTicketingProvider } from "../../src/services/ticketing-provider/simulated-ticketing-provider.js";
import { TicketingProviderClient } from "../../src/services/ticketing-provider/ticketing-provider-client.js";
import { handleIssueTickets } from "../../src/services/ticketing-provider/ticketing-provider-handler.js";
import { LazyTable } from "../../src/storage/table-client.js";
import { sendWith } from "../helpers/servicebus.js";
import { busMessage, runConsumer, type ServicesStack, startServicesStack } from "./services-harness.js";

let stack: ServicesStack;
let store: TableEventStore;
let ledger: TablePaymentLedger;

beforeAll(async () => {
  stack = await startServicesStack();
  store = new TableEventStore(stack.table("events"));
  ledger = new TablePaymentLedger(new LazyTable(stack.table("payments")));
});
afterAll(async () => {
  await stack?.close();
});

const capture = (purchaseId: string, amountCents = 5_000) => createMessage("CapturePayment", { purchaseId, fanId: "fan-1", amountCents }, { id: `${purchaseId}:CapturePayment`, correlationId: `corr-${purchaseId}` });
const eventTypes = async (streamId: string) => (await store.readStream(streamId)).events.map((e) => e.event.type.split(".")[2]);
const charges = async (purchaseId: string) => (await ledger.entriesOf(purchaseId)).filter((e) => e.kind === "charge");

describe("payments service", () => {
  /** The gateway fails while `failing` says so (the test flips it), otherwise approves up to 100000 cents. */
  const gatewayState = { failing: new Set<string>() };
  let current = "";
  /** A crash after the commit, before the message is completed: the first delivery of these purchases throws late. */
  const crashAfterCommit = new Set<string>();
  let consumer: ReturnType<typeof runConsumer>;

  beforeAll(() => {
    const gateway = new SimulatedPaymentGateway(ledger, { transientFailureRate: 1, random: () => (gatewayState.failing.has(current) ? 0 : 1) });
    consumer = runConsumer(stack.client, "commands", "payments", async (body) => {
      current = (body as { data?: { purchaseId?: string } })?.data?.purchaseId ?? "";
      const outcome = await handlePaymentCommand(body, { store, gateway });
      if (crashAfterCommit.delete(current)) throw new Error("the host died before completing the message");
      return outcome;
    });
  });
  afterAll(async () => {
    await consumer?.close();
  });

  it("a CapturePayment redelivered after a crash that followed the commit charges once", async () => {
    crashAfterCommit.add("redelivered-1");
    const before = consumer.deliveries.length;
    await sendWith(stack.client, "commands", busMessage(capture("redelivered-1")));
    await consumer.handled(before + 2);
    const [first, second] = consumer.deliveries.slice(before);
    expect(first).toMatchObject({ outcome: "abandoned" });
    expect(second).toMatchObject({ outcome: "completed", result: { status: "duplicate" } });
    expect(second.message.deliveryCount).toBe(1);
    expect(await charges("redelivered-1")).toHaveLength(1);
    expect(await eventTypes("payment-redelivered-1")).toEqual(["PaymentCaptured"]);
  });

  it("the same CapturePayment sent twice (two MessageIds, past duplicate detection) charges once", async () => {
    const before = consumer.deliveries.length;
    const command = capture("duplicated-1");
    await sendWith(stack.client, "commands", [busMessage(command, "first-send"), busMessage(command, "second-send")]);
    await consumer.handled(before + 2);
    expect(consumer.deliveries.slice(before).map((d) => [d.outcome, (d.result as { status: string }).status])).toEqual([
      ["completed", "handled"],
      ["completed", "duplicate"],
    ]);
    expect(await charges("duplicated-1")).toHaveLength(1);
    expect(await eventTypes("payment-duplicated-1")).toEqual(["PaymentCaptured"]);
  });

  it("declines over the limit, and a transient failure is redelivered until the charge goes through", async () => {
    const before = consumer.deliveries.length;
    await sendWith(stack.client, "commands", busMessage(capture("declined-1", 100_001)));
    await consumer.handled(before + 1);
    expect(await eventTypes("payment-declined-1")).toEqual(["PaymentDeclined"]);

    gatewayState.failing.add("flaky-1");
    const start = consumer.deliveries.length;
    await sendWith(stack.client, "commands", busMessage(capture("flaky-1")));
    await consumer.handled(start + 2);
    gatewayState.failing.delete("flaky-1");
    await consumer.handled(start + 3);
    const outcomes = consumer.deliveries.slice(start).map((d) => d.outcome);
    expect(outcomes.at(-1)).toBe("completed");
    expect(outcomes.slice(0, -1).every((o) => o === "abandoned")).toBe(true);
    expect(await charges("flaky-1")).toHaveLength(1);
  });

  it("a command that keeps failing is dead-lettered after MaxDeliveryCount; resubmitted after the outage, it charges once", async () => {
    gatewayState.failing.add("outage-1");
    const before = consumer.deliveries.length;
    await sendWith(stack.client, "commands", busMessage(capture("outage-1")));
    await consumer.handled(before + 5);
    expect(consumer.deliveries.slice(before).map((d) => d.outcome)).toEqual(Array(5).fill("abandoned"));
    const deadLetters = new DeadLetters(stack.client);
    const payments = parseEntity("commands/subscriptions/payments");
    const [dead] = await deadLetters.list(payments);
    expect(dead).toMatchObject({ messageId: "outage-1:CapturePayment", reason: "MaxDeliveryCountExceeded", deliveryCount: 5 });
    expect(await charges("outage-1")).toEqual([]);

    gatewayState.failing.delete("outage-1");
    await deadLetters.resubmit(payments, dead.sequenceNumber);
    await consumer.handled(before + 6);
    expect(consumer.deliveries.at(-1)).toMatchObject({ outcome: "completed", result: { status: "handled" } });
    expect(await charges("outage-1")).toHaveLength(1);
    expect(await eventTypes("payment-outage-1")).toEqual(["PaymentCaptured"]);
    expect(await deadLetters.list(payments)).toEqual([]);
  });

  it("a body that is not a payment command ends in the dead-letter queue", async () => {
    const before = consumer.deliveries.length;
    await sendWith(stack.client, "commands", { messageId: "garbage-1", body: "not a CloudEvent", applicationProperties: { commandType: "MusicFest.Payments.CapturePayment.v1" } });
    await consumer.handled(before + 5);
    expect(consumer.deliveries.slice(before).every((d) => d.outcome === "abandoned" && /not a CloudEvents 1.0 message/.test(String(d.error)))).toBe(true);
    const dead = await new DeadLetters(stack.client).list(parseEntity("commands/subscriptions/payments"));
    expect(dead).toEqual([expect.objectContaining({ messageId: "garbage-1", reason: "MaxDeliveryCountExceeded", body: "not a CloudEvent" })]);
  });
});

describe("ticketing-provider service", () => {
  let server: Server;
  let requests = 0;
  const draws: number[] = [];
  const provider = new SimulatedTicketingProvider({ failureRate: 0.5, unavailableConcerts: ["gone"], random: () => draws.shift() ?? 1 });
  let consumer: ReturnType<typeof runConsumer>;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        requests++;
        void provider.handle({ method: req.method ?? "GET", body: JSON.parse(Buffer.concat(chunks).toString()) }).then((a) => res.writeHead(a.status, a.headers).end(JSON.stringify(a.body)));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const client = new TicketingProviderClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, backoff: { initialDelayMs: 10, multiplier: 2, maxDelayMs: 50 } });
    consumer = runConsumer(stack.client, "commands", "ticketing-provider", (body) => handleIssueTickets(body, { store, provider: client }));
  });
  afterAll(async () => {
    await consumer?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  const issue = (purchaseId: string, concertId: string) =>
    createMessage("IssueTickets", { purchaseId, concertId, fan: { id: "fan-1", email: "fan@example.com" }, tier: "standard", quantity: 2 }, { id: `${purchaseId}:IssueTickets`, correlationId: `corr-${purchaseId}` });

  it("a 503 is retried with backoff, then TicketsIssued", async () => {
    draws.push(0.1, 0.9);
    const before = requests;
    await sendWith(stack.client, "commands", busMessage(issue("tickets-1", "c1")));
    await consumer.handled(1);
    expect(requests - before).toBe(2);
    expect(consumer.deliveries[0]).toMatchObject({ outcome: "completed", result: { status: "handled" } });
    const [issued] = (await store.readStream("ticket-issue-tickets-1")).events;
    expect(issued.event).toMatchObject({ type: "MusicFest.TicketingProvider.TicketsIssued.v1", data: { purchaseId: "tickets-1", ticketIds: [expect.any(String), expect.any(String)] } });
  });

  it("a 409 becomes TicketIssueFailed, without retries", async () => {
    const before = requests;
    await sendWith(stack.client, "commands", busMessage(issue("tickets-2", "gone")));
    await consumer.handled(2);
    expect(requests - before).toBe(1);
    const [failed] = (await store.readStream("ticket-issue-tickets-2")).events;
    expect(failed.event).toMatchObject({ type: "MusicFest.TicketingProvider.TicketIssueFailed.v1", data: { reason: "tickets-unavailable", detail: "No tickets are available for concert gone." } });
  });
});
