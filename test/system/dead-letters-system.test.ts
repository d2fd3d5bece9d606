/**
 * A poison command in the whole system (Azurite, the emulator with the system's topology, the local Functions host
 * running the app): a RefundPayment that arrives before its payment was captured is refused by the payments
 * handler on every delivery, so Service Bus dead-letters it after MaxDeliveryCount (5). The operations endpoint
 * lists it with its reason; once the payment is captured, resubmitting it over the same endpoint gets it handled:
 * the refund is in the ledger once and PaymentRefunded in the payment's stream.
 *
 * And a poison event on the projections subscription, which the projections function takes in batches: the batch
 * it arrives in fails, its valid events are applied all the same, and the poison is dead-lettered. A batch is settled
 * as one (the Functions trigger completes or abandons all its messages), so the poison's batch-mates go to the
 * dead-letter queue with it; they were applied, and resubmitting one changes nothing.
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

  it("a poison event fails its batch of projections: the valid events are applied, the batch is dead-lettered, a resubmitted batch-mate changes nothing", async () => {
    const concert = (concertId: string) =>
      createMessage(
        "ConcertScheduled",
        { concertId, name: "Poison Night", venue: "Hall", startsAt: "2026-08-01T20:00:00.000Z", capacity: { standard: 10, vip: 0 }, prices: { standard: 5_000, vip: 9_000 } },
        { id: `concert-${concertId}:1`, subject: `concert-${concertId}`, correlationId: `corr-${concertId}` },
      );
    const good = concert("poison-batch-hall");
    // A CloudEvent of a projected type whose data breaks the schema: no retry can apply it.
    const poison = { ...concert("poison-batch-bad"), data: { concertId: 42 } };
    await sendWith(client, "events", [busMessage(poison as unknown as typeof good), busMessage(good)]);

    const shown = await until(
      async () => (await fetch(`${sut.url}/api/concerts/poison-batch-hall`)).status,
      (status) => status === 200,
      30_000,
    );
    expect(shown).toBe(200);
    const projections = "entity=events/subscriptions/projections";
    const listed = await until(() => ops("GET", `dead-letters?${projections}`), (body) => body.count === 2, 30_000);
    const byId = new Map(listed.items.map((i: { messageId: string }) => [i.messageId, i]));
    expect(byId.get(poison.id)).toMatchObject({ reason: "MaxDeliveryCountExceeded", deliveryCount: 5 });
    expect(byId.get(good.id)).toMatchObject({ reason: "MaxDeliveryCountExceeded" });
    const failed = sut.invocations.filter((r) => r.functionName === "projections" && r.outcome === "failed");
    expect(failed.length).toBeGreaterThanOrEqual(5);
    expect(failed[0].error).toMatch(/concertId/);
    const availability = async () => (await fetch(`${sut.url}/api/concerts/poison-batch-hall`)).json();
    expect(await availability()).toMatchObject({ concertId: "poison-batch-hall", version: 1, ticketsLeft: { standard: 10, vip: 0 } });

    // The batch-mate was applied on its first delivery: resubmitted, it is skipped and leaves the queue.
    const mate = byId.get(good.id) as { sequenceNumber: string };
    await ops("POST", `dead-letters/${mate.sequenceNumber}/resubmit?${projections}`);
    const after = await until(() => ops("GET", `dead-letters?${projections}`), (body) => body.count === 1, 30_000);
    expect(after.items.map((i: { messageId: string }) => i.messageId)).toEqual([poison.id]);
    await until(() => Promise.resolve(sut.invocations.filter((r) => r.functionName === "projections" && r.outcome === "succeeded").length), (n) => n > 0, 30_000);
    expect(await availability()).toMatchObject({ version: 1, ticketsLeft: { standard: 10, vip: 0 } });
  });
});
