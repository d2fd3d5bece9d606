/**
 * The outbox relay on the real stack: a handler's commit reaches Service Bus (message id, session, application
 * properties, a scheduled timeout), the Kafka event hub (key and headers, read with a kafkajs consumer) and, for a
 * notify event, the Event Grid topic; then its records are no longer pending.
 */
import { randomUUID } from "node:crypto";
import type { ServiceBusReceivedMessage } from "@azure/service-bus";
import type { KafkaMessage } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventHubsConnection, topology } from "../../src/config.js";
import { type CatalogMessage, createMessage } from "../../src/events/catalog.js";
import { causedBy, CLOUD_EVENTS_CONTENT_TYPE } from "../../src/events/envelope.js";
import { StreamRepository } from "../../src/eventstore/stream-repository.js";
import { createKafka } from "../../src/messaging/kafka-event-stream.js";
import { MessageConsumer } from "../../src/messaging/message-consumer.js";
import { OutboxRelay } from "../../src/outbox/outbox-relay.js";
import { purchaseTestStream } from "../fixtures/eventstore/purchase-test-stream.js";
import { eventually, type OutboxTestEnv, startOutboxTestEnv } from "./outbox-test-env.js";

let env: OutboxTestEnv;
beforeAll(async () => {
  env = await startOutboxTestEnv();
});
afterAll(async () => {
  await env?.close();
});

const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

function placePurchase(purchaseId: string): CatalogMessage<"PlacePurchase"> {
  return createMessage("PlacePurchase", { purchaseId, concertId: "relay-concert", fan: { id: "fan-7", email: "grace@example.com" }, tier: "standard", quantity: 1 }, { correlationId: `req-${purchaseId}`, traceparent, id: `place-${purchaseId}` });
}

async function receiveFor(topic: string, subscription: string, purchaseId: string, count: number): Promise<ServiceBusReceivedMessage[]> {
  const receiver = env.serviceBusClient.createReceiver(topic, subscription);
  try {
    const got: ServiceBusReceivedMessage[] = [];
    while (got.length < count) {
      const batch = await receiver.receiveMessages(10, { maxWaitTimeInMs: 5_000 });
      if (batch.length === 0) break;
      for (const m of batch) {
        await receiver.completeMessage(m);
        if (m.applicationProperties?.purchaseId === purchaseId) got.push(m);
      }
    }
    return got;
  } finally {
    await receiver.close();
  }
}

describe("OutboxRelay", () => {
  it("delivers a commit's events, command and scheduled timeout to Service Bus, Kafka and Event Grid, then marks them sent", async () => {
    const purchaseId = randomUUID();
    const streamId = `purchase-${purchaseId}`;
    const message = placePurchase(purchaseId);
    const heldUntil = new Date(env.emulator.clock.now() + 120_000);

    const consumer = new MessageConsumer({ repository: new StreamRepository(env.store), relay: env.relay });
    const outcome = await consumer.handle({
      consumer: "purchases",
      message,
      stream: purchaseTestStream,
      id: purchaseId,
      decide: (_state, { now }) => {
        const d = message.data;
        const fan = d.fan;
        return {
          events: [
            { name: "PurchasePlaced", data: { ...d, unitPriceCents: 5000, totalCents: 5000, placedAt: now.toISOString() } },
            { name: "PurchaseCompleted", data: { purchaseId, concertId: d.concertId, fan, tier: d.tier, quantity: 1, ticketIds: ["t-1"], totalCents: 5000, paymentId: "pay-1", completedAt: now.toISOString() } },
          ],
          outbox: [
            { channel: "commands", message: createMessage("CapturePayment", { purchaseId, fanId: fan.id, amountCents: 5000 }, { ...causedBy(message), id: `${message.id}:CapturePayment` }) },
            {
              channel: "events",
              scheduledFor: heldUntil.toISOString(),
              message: createMessage("ReservationExpired", { purchaseId, concertId: d.concertId, heldSince: now.toISOString() }, { ...causedBy(message), id: `${message.id}:ReservationExpired` }),
            },
          ],
        };
      },
    });
    expect(outcome).toMatchObject({ status: "handled", version: 2 });
    expect((await env.store.pendingOutbox()).filter((r) => r.streamId === streamId)).toEqual([]);

    // Service Bus: the purchase process's session subscription gets PurchasePlaced now, the timeout only when due.
    const session = await env.serviceBusClient.acceptSession(topology.topics.events, topology.subscriptions.purchaseProcess, purchaseId);
    const [placed] = await session.receiveMessages(10, { maxWaitTimeInMs: 5_000 });
    expect(placed).toMatchObject({
      messageId: `${streamId}:1`,
      sessionId: purchaseId,
      correlationId: `req-${purchaseId}`,
      subject: "MusicFest.Purchases.PurchasePlaced.v2",
      contentType: CLOUD_EVENTS_CONTENT_TYPE,
      applicationProperties: { eventType: "MusicFest.Purchases.PurchasePlaced.v2", purchaseId, concertId: "relay-concert", "Diagnostic-Id": traceparent },
      body: { id: `${streamId}:1`, type: "MusicFest.Purchases.PurchasePlaced.v2", causationid: message.id, correlationid: `req-${purchaseId}`, traceparent, data: { purchaseId, unitPriceCents: 5000 } },
    });
    await session.completeMessage(placed);
    // A scheduled message stays in the topic until due (as in Azure): nothing to peek or receive yet.
    expect(await session.peekMessages(5)).toEqual([]);
    expect(await session.receiveMessages(1, { maxWaitTimeInMs: 200 })).toEqual([]);
    await session.close(); // its lock would expire while the clock moves past the lock duration
    env.emulator.clock.advance(121_000);
    const later = await env.serviceBusClient.acceptSession(topology.topics.events, topology.subscriptions.purchaseProcess, purchaseId);
    const [expired] = await later.receiveMessages(1, { maxWaitTimeInMs: 5_000 });
    expect(expired).toMatchObject({ messageId: `${message.id}:ReservationExpired`, sessionId: purchaseId, scheduledEnqueueTimeUtc: heldUntil, applicationProperties: { eventType: "MusicFest.Purchases.ReservationExpired.v1" } });
    await later.completeMessage(expired);
    await later.close();

    const [completed] = await receiveFor(topology.topics.events, topology.subscriptions.email, purchaseId, 1);
    expect(completed).toMatchObject({ messageId: `${streamId}:2`, applicationProperties: { eventType: "MusicFest.Purchases.PurchaseCompleted.v1" } });
    const [command] = await receiveFor(topology.topics.commands, topology.subscriptions.payments, purchaseId, 1);
    expect(command).toMatchObject({ messageId: `${message.id}:CapturePayment`, sessionId: purchaseId, applicationProperties: { commandType: "MusicFest.Payments.CapturePayment.v1", purchaseId } });
    expect(command.applicationProperties?.eventType).toBeUndefined();

    // Kafka: the two events (not the command or the timeout), keyed by stream id, with the trace in headers.
    const kafka = createKafka(eventHubsConnection({ EventHubsConnection: env.emulator.kafka.connectionString })!, "relay-test");
    const reader = kafka.consumer({ groupId: `relay-test-${purchaseId}`, maxWaitTimeInMs: 100, heartbeatInterval: 100 });
    const records: KafkaMessage[] = [];
    await reader.connect();
    try {
      await reader.subscribe({ topic: topology.eventHub, fromBeginning: true });
      await reader.run({ eachMessage: async ({ message: m }) => void (m.key?.toString() === streamId && records.push(m)) });
      await eventually(() => records.length >= 2, "the two events on Kafka");
    } finally {
      await reader.disconnect();
    }
    expect(records.map((r) => JSON.parse(r.value!.toString()).id)).toEqual([`${streamId}:1`, `${streamId}:2`]);
    expect(Object.fromEntries(Object.entries(records[0].headers!).map(([k, v]) => [k, v?.toString()]))).toEqual({
      "content-type": CLOUD_EVENTS_CONTENT_TYPE,
      ce_id: `${streamId}:1`,
      ce_type: "MusicFest.Purchases.PurchasePlaced.v2",
      correlationid: `req-${purchaseId}`,
      causationid: message.id,
      traceparent,
    });

    // Event Grid: only the notify event, with its extension attributes.
    await eventually(() => env.pushed.some((e) => e.id === `${streamId}:2`), "PurchaseCompleted pushed by Event Grid");
    expect(env.pushed.filter((e) => (e.data as { purchaseId?: string }).purchaseId === purchaseId)).toEqual([
      expect.objectContaining({ id: `${streamId}:2`, type: "MusicFest.Purchases.PurchaseCompleted.v1", correlationid: `req-${purchaseId}`, causationid: message.id, traceparent }),
    ]);
  });

  it("leaves records pending when a destination fails, and marks only what every destination took", async () => {
    const failing = new OutboxRelay({
      store: env.store,
      serviceBus: env.bus,
      kafka: { publish: async () => Promise.reject(new Error("event hub unreachable")), close: async () => {} },
      onError: () => {},
    });
    const purchaseId = randomUUID();
    const message = placePurchase(purchaseId);
    const consumer = new MessageConsumer({ repository: new StreamRepository(env.store), relay: failing });
    await consumer.handle({
      consumer: "purchases",
      message,
      stream: purchaseTestStream,
      id: purchaseId,
      decide: (_s, { now }) => ({
        events: [{ name: "PurchasePlaced", data: { ...message.data, unitPriceCents: 100, totalCents: 100, placedAt: now.toISOString() } }],
        outbox: [{ channel: "commands", message: createMessage("CapturePayment", { purchaseId, fanId: "fan-7", amountCents: 100 }, { ...causedBy(message), id: `${message.id}:CapturePayment` }) }],
      }),
    });
    // The command needs only Service Bus: sent. The event also needs Kafka, which failed: still pending.
    const pending = (await env.store.pendingOutbox()).filter((r) => r.streamId === `purchase-${purchaseId}`);
    expect(pending.map((r) => r.message.id)).toEqual([`purchase-${purchaseId}:1`]);
    const report = await env.relay.deliver(pending);
    expect(report).toMatchObject({ sent: [expect.objectContaining({ recordId: pending[0].recordId })], failed: [] });
    expect((await env.store.pendingOutbox()).filter((r) => r.streamId === `purchase-${purchaseId}`)).toEqual([]);
    // Service Bus got the event once: the second publish was a duplicate its detection dropped.
    const session = await env.serviceBusClient.acceptSession(topology.topics.events, topology.subscriptions.purchaseProcess, purchaseId);
    const received = await session.receiveMessages(10, { maxWaitTimeInMs: 2_000 });
    expect(received.map((m) => m.messageId)).toEqual([`purchase-${purchaseId}:1`]);
    await session.completeMessage(received[0]);
    expect(await session.peekMessages(10)).toEqual([]);
    await session.close();
  });
});
