/**
 * Duplicated and redelivered messages end to end: after a purchase completed, the same command and the same event
 * arrive again as new Service Bus messages (sent with the SDK, as a sender retrying without its message id, or a
 * redelivery past duplicate detection's window, would send them). The handlers run again and change nothing: no
 * second charge in the gateway's ledger, no second payment event, no second mail.
 */
import { ServiceBusClient } from "@azure/service-bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fan, type Json, TicketingClient } from "./purchase-client.js";
import { type SystemUnderTest, startSystemUnderTest, until } from "./system-under-test.js";

let sut: SystemUnderTest;
let api: TicketingClient;
let serviceBus: ServiceBusClient;
beforeAll(async () => {
  sut = await startSystemUnderTest();
  api = new TicketingClient(sut);
  serviceBus = new ServiceBusClient(sut.system.appSettings.ServiceBusConnection);
}, 60_000);
afterAll(async () => {
  await serviceBus?.close();
  await sut?.close();
});

/** Sends `cloudEvent` as the relay does (body, type in commandType/eventType), under a new message id. */
async function sendAgain(topic: "commands" | "events", cloudEvent: Json, messageId: string): Promise<void> {
  const sender = serviceBus.createSender(topic);
  try {
    await sender.sendMessages({
      body: cloudEvent,
      contentType: "application/cloudevents+json; charset=utf-8",
      messageId,
      correlationId: cloudEvent.correlationid,
      sessionId: cloudEvent.data.purchaseId,
      applicationProperties: { [topic === "commands" ? "commandType" : "eventType"]: cloudEvent.type },
    });
  } finally {
    await sender.close();
  }
}

const storedEvents = async (streamId: string) => (await api.streamEvents(streamId)).map((row) => JSON.parse(String(row.event)) as Json);

describe("duplicates", () => {
  it("charges once and mails once when a completed purchase's command and event arrive again", async () => {
    const concert = await api.scheduleConcert();
    const res = await api.placePurchase({ concertId: concert.concertId, fan: fan(), tier: "standard", quantity: 2 });
    const { purchaseId } = res.body;
    const done = await api.outcome(purchaseId);
    expect(done.status).toBe("completed");
    await until(() => api.mails(purchaseId), (m) => m.length === 1);

    // The CapturePayment the process sent, and the PurchaseCompleted the purchase published, as stored.
    const [captured] = await storedEvents(`payment-${purchaseId}`);
    const capture: Json = {
      specversion: "1.0",
      id: `duplicate-capture-${purchaseId}`,
      source: "/musicfest/ticketing",
      type: "MusicFest.Payments.CapturePayment.v1",
      time: new Date().toISOString(),
      datacontenttype: "application/json",
      data: { purchaseId, fanId: done.fan.id, amountCents: done.totalCents },
      correlationid: `dup-${purchaseId}`,
    };
    const completed = (await storedEvents(`purchase-${purchaseId}`)).find((e) => String(e.type).includes("PurchaseCompleted"))!;
    expect(completed).toBeDefined();

    const paymentsBefore = sut.invocations.length;
    await sendAgain("commands", capture, `again-1-${purchaseId}`);
    await sendAgain("commands", capture, `again-2-${purchaseId}`);
    const emailBefore = sut.invocations.length;
    await sendAgain("events", completed, `again-${completed.id}`);

    // Each copy was handled (the functions ran and succeeded) ...
    await until(async () => sut.invocations.slice(paymentsBefore).filter((r) => r.functionName === "payments" && r.outcome === "succeeded").length, (n) => n >= 2);
    const emailRun = await sut.invocation("email", emailBefore);
    expect(emailRun.outcome).toBe("succeeded");
    // ... and had no second effect.
    expect((await api.ledger(purchaseId)).map((e) => e.rowKey)).toEqual(["charge"]);
    expect((await storedEvents(`payment-${purchaseId}`)).map((e) => e.id)).toEqual([captured.id]);
    expect(await api.mails(purchaseId)).toHaveLength(1);
    expect((await api.purchase(purchaseId)).body).toMatchObject({ status: "completed", ticketIds: done.ticketIds });
  });
});
