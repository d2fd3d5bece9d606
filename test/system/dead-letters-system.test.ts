/**
 * A poison command in the whole system (Azurite, the emulator with the system's topology, the local Functions host
 * running the app): a RefundPayment that arrives before its payment was captured is refused by the payments
 * handler on every delivery, so Service Bus dead-letters it after MaxDeliveryCount (5). The operations endpoint
 * lists it with its reason; once the payment is captured, resubmitting it over the same endpoint gets it handled:
 * the refund is in the ledger once and PaymentRefunded in the payment's stream.
 */
import { ServiceBusClient } from "@azure/service-bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMessage } from "../../src/events/catalog.js";
import { TableEventStore } from "../../src/eventstore/table-event-store.js";
import { paymentIdFor } from "../../src/services/payment/simulated-payment-gateway.js";
import { TablePaymentLedger } from "../../src/services/payment/table-payment-ledger.js";
import { LazyTable } from "../../src/storage/table-client.js";
import { sendWith } from "../helpers/servicebus.js";
import { busMessage } from "./services-harness.js";
import { startSystemUnderTest, type SystemUnderTest, until } from "./system-under-test.js";

const KEY = "ops-system-test-key";
const entity = "entity=commands/subscriptions/payments";
let sut: SystemUnderTest;
let client: ServiceBusClient;

beforeAll(async () => {
  sut = await startSystemUnderTest({ settings: { "host.function.default": KEY } });
  client = new ServiceBusClient(sut.system.emulator.serviceBus.connectionString, { retryOptions: { maxRetries: 0 } });
}, 60_000);
afterAll(async () => {
  await client?.close();
  await sut?.close();
});

async function ops(method: "GET" | "POST", pathAndQuery: string): Promise<any> {
  const response = await fetch(`${sut.url}/api/ops/${pathAndQuery}`, { method, headers: { "x-functions-key": KEY } });
  expect(response.status).toBe(200);
  return response.json();
}

describe("a poison command in the running system", () => {
  it("is dead-lettered after MaxDeliveryCount, listed with its reason, and handled once resubmitted", async () => {
    const purchaseId = "dead-letter-refund-1";
    const paymentId = paymentIdFor(purchaseId);
    const refund = createMessage("RefundPayment", { purchaseId, paymentId, amountCents: 4_000 }, { id: `${purchaseId}:RefundPayment`, correlationId: `corr-${purchaseId}` });
    await sendWith(client, "commands", busMessage(refund));

    const listed = await until(() => ops("GET", `dead-letters?${entity}`), (body) => body.count === 1, 30_000);
    const [dead] = listed.items;
    expect(dead).toMatchObject({ messageId: refund.id, reason: "MaxDeliveryCountExceeded", deliveryCount: 5, body: { type: refund.type, data: { purchaseId } } });
    const failures = sut.invocations.filter((r) => r.functionName === "payments" && r.outcome === "failed");
    expect(failures).toHaveLength(5);
    expect(failures[0].error).toMatch(/No captured payment/);

    const capture = createMessage("CapturePayment", { purchaseId, fanId: "fan-1", amountCents: 4_000 }, { id: `${purchaseId}:CapturePayment`, correlationId: `corr-${purchaseId}` });
    await sendWith(client, "commands", busMessage(capture));
    const store = new TableEventStore(sut.table("events"));
    const types = async () => (await store.readStream(`payment-${purchaseId}`)).events.map((e) => e.event.type.split(".")[2]);
    await until(types, (t) => t.length === 1);

    const resubmitted = await ops("POST", `dead-letters/${dead.sequenceNumber}/resubmit?${entity}`);
    expect(resubmitted.resubmitted).toEqual([{ sequenceNumber: dead.sequenceNumber, messageId: `${refund.id}:resubmit:${dead.sequenceNumber}` }]);
    expect(await until(types, (t) => t.length === 2)).toEqual(["PaymentCaptured", "PaymentRefunded"]);
    const ledger = new TablePaymentLedger(new LazyTable(sut.table("payments")));
    expect((await ledger.entriesOf(purchaseId)).map((e) => [e.kind, e.status, e.amountCents]).sort()).toEqual([
      ["charge", "captured", 4_000],
      ["refund", "refunded", 4_000],
    ]);
    expect((await ops("GET", `dead-letters?${entity}`)).count).toBe(0);
  });
});
