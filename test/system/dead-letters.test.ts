/**
 * Dead letters with the real SDK against the emulator: a poison command ends in the subscription's dead-letter
 * queue after MaxDeliveryCount, the module lists and inspects it, and a resubmit brings it back to be handled,
 * although the topic's duplicate detection still remembers its MessageId.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import type { ServiceBusClient, ServiceBusReceiver } from "@azure/service-bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../../emulator/index.js";
import { parseEntity } from "../../src/dead-letters/dead-letter-entity.js";
import { DeadLetterEntityNotFoundError, DeadLetterNotFoundError, DeadLetters } from "../../src/dead-letters/dead-letters.js";
import { sendWith, serviceBusClient, serviceBusConfig, startServiceBusEmulator } from "../helpers/servicebus.js";
import { deadLettersCommand } from "../../scripts/sb-dead-letters.js";
import { repoRoot } from "./system-under-test.js";

const CAPTURE = "MusicFest.Payments.CapturePayment.v1";
const REFUND = "MusicFest.Payments.RefundPayment.v1";
const subscriptionProperties = { MaxDeliveryCount: 3, LockDuration: "PT1M", DeadLetteringOnMessageExpiration: true, RequiresSession: false };

let emulator: Emulator;
let client: ServiceBusClient;
let deadLetters: DeadLetters;

beforeAll(async () => {
  emulator = await startServiceBusEmulator(
    serviceBusConfig(
      [{ Name: "orders", Properties: { MaxDeliveryCount: 2 } }],
      [
        {
          Name: "commands",
          Properties: { RequiresDuplicateDetection: true, DuplicateDetectionHistoryTimeWindow: "PT10M" },
          Subscriptions: [
            { Name: "payments", Properties: subscriptionProperties, Rules: [{ Name: "payment-commands", Properties: { FilterType: "Sql", SqlFilter: { SqlExpression: `commandType IN ('${CAPTURE}', '${REFUND}')` } } }] },
            { Name: "concerts", Properties: subscriptionProperties, Rules: [{ Name: "concert-commands", Properties: { FilterType: "Sql", SqlFilter: { SqlExpression: "commandType = 'MusicFest.Concerts.ReserveTickets.v1'" } } }] },
          ],
        },
        { Name: "events", Properties: { RequiresDuplicateDetection: true }, Subscriptions: [{ Name: "purchase-process", Properties: { ...subscriptionProperties, RequiresSession: true } }] },
      ],
    ),
  );
  client = serviceBusClient(emulator);
  deadLetters = new DeadLetters(client);
});

afterAll(async () => {
  await client?.close();
  await emulator?.close();
});

function command(id: string, type = CAPTURE) {
  return {
    messageId: id,
    body: { specversion: "1.0", id, source: "/musicfest/ticketing", type, data: { purchaseId: id, fanId: "fan-1", amountCents: 100 }, correlationid: `corr-${id}` },
    contentType: "application/cloudevents+json; charset=utf-8",
    correlationId: `corr-${id}`,
    subject: type,
    applicationProperties: { commandType: type, purchaseId: id },
  };
}

/** A handler that always throws: each delivery is abandoned, until Service Bus dead-letters the message. */
async function failUntilDeadLettered(receiver: ServiceBusReceiver, messageId: string, deliveries: number): Promise<void> {
  for (let i = 0; i < deliveries; i++) {
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5_000 });
    expect(message?.messageId).toBe(messageId);
    await receiver.abandonMessage(message);
  }
}

describe("dead letters", () => {
  const payments = parseEntity("commands/subscriptions/payments");

  it("a poison message lands in the DLQ after MaxDeliveryCount; list and inspect show why", async () => {
    await sendWith(client, "commands", command("poison-1"));
    const receiver = client.createReceiver("commands", "payments");
    try {
      await failUntilDeadLettered(receiver, "poison-1", 3);
      expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 200 })).toEqual([]);
    } finally {
      await receiver.close();
    }
    const listed = await deadLetters.list(payments);
    expect(listed).toHaveLength(1);
    const [dead] = listed;
    expect(dead).toMatchObject({ messageId: "poison-1", reason: "MaxDeliveryCountExceeded", deliveryCount: 3, bodyEncoding: "json", subject: CAPTURE, correlationId: "corr-poison-1" });
    expect(dead.description).toBeTruthy();
    expect(dead.body).toMatchObject({ id: "poison-1", type: CAPTURE });
    expect(dead.applicationProperties).toEqual({ commandType: CAPTURE, purchaseId: "poison-1" });
    expect(Date.parse(dead.enqueuedTimeUtc!)).not.toBeNaN();
    expect(await deadLetters.get(payments, dead.sequenceNumber)).toEqual(dead);
  });

  it("resubmit brings it back to its subscription, only there, despite duplicate detection", async () => {
    const [dead] = await deadLetters.list(payments);
    const result = await deadLetters.resubmit(payments, dead.sequenceNumber);
    expect(result).toEqual({ entity: "commands/subscriptions/payments", target: "commands", resubmitted: [{ sequenceNumber: dead.sequenceNumber, messageId: `poison-1:resubmit:${dead.sequenceNumber}` }] });
    expect(await deadLetters.list(payments)).toEqual([]);

    const receiver = client.createReceiver("commands", "payments");
    const other = client.createReceiver("commands", "concerts", { receiveMode: "receiveAndDelete" });
    try {
      const [again] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5_000 });
      expect(again).toBeDefined();
      expect(again.body).toEqual(command("poison-1").body);
      expect(again.applicationProperties).toEqual({ commandType: CAPTURE, purchaseId: "poison-1", OriginalMessageId: "poison-1" });
      expect(again).toMatchObject({ deliveryCount: 0, correlationId: "corr-poison-1", subject: CAPTURE });
      expect(again.deadLetterReason).toBeUndefined();
      await receiver.completeMessage(again); // handled this time
      expect(await other.receiveMessages(1, { maxWaitTimeInMs: 200 })).toEqual([]);
    } finally {
      await receiver.close();
      await other.close();
    }
  });

  it("resubmits one of several and leaves the others where they were", async () => {
    for (const id of ["poison-2", "poison-3", "poison-4"]) await sendWith(client, "commands", command(id, REFUND));
    const receiver = client.createReceiver("commands", "payments");
    try {
      for (let i = 0; i < 3; i++) {
        const batch = await receiver.receiveMessages(3, { maxWaitTimeInMs: 5_000 });
        for (const m of batch) await receiver.deadLetterMessage(m, { deadLetterReason: "InvalidAmount", deadLetterErrorDescription: `${m.messageId} cannot be refunded` });
        if ((await deadLetters.list(payments)).length === 3) break;
      }
      const listed = await deadLetters.list(payments);
      expect(listed.map((d) => [d.messageId, d.reason, d.description])).toEqual([
        ["poison-2", "InvalidAmount", "poison-2 cannot be refunded"],
        ["poison-3", "InvalidAmount", "poison-3 cannot be refunded"],
        ["poison-4", "InvalidAmount", "poison-4 cannot be refunded"],
      ]);
      await deadLetters.resubmit(payments, listed[1].sequenceNumber);
      expect((await deadLetters.list(payments)).map((d) => d.messageId)).toEqual(["poison-2", "poison-4"]);
      const [back] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5_000 });
      expect(back.applicationProperties?.OriginalMessageId).toBe("poison-3");
      await receiver.completeMessage(back);

      const all = await deadLetters.resubmitAll(payments);
      expect(all.resubmitted.map((r) => r.messageId.split(":")[0])).toEqual(["poison-2", "poison-4"]);
      expect(await deadLetters.list(payments)).toEqual([]);
      const returned = await receiver.receiveMessages(2, { maxWaitTimeInMs: 5_000 });
      expect(returned.map((m) => m.applicationProperties?.OriginalMessageId).sort()).toEqual(["poison-2", "poison-4"]);
      for (const m of returned) await receiver.completeMessage(m);
    } finally {
      await receiver.close();
    }
  });

  it("works for a queue, and a message dead-lettered twice keeps its original id", async () => {
    const orders = parseEntity("orders");
    await sendWith(client, "orders", { messageId: "order-1", body: "plain text body", applicationProperties: { kind: "order" } });
    const receiver = client.createReceiver("orders");
    try {
      await failUntilDeadLettered(receiver, "order-1", 2);
      const [dead] = await deadLetters.list(orders);
      expect(dead).toMatchObject({ messageId: "order-1", body: "plain text body", bodyEncoding: "text", reason: "MaxDeliveryCountExceeded" });
      await deadLetters.resubmit(orders, dead.sequenceNumber);
      const resubmittedId = `order-1:resubmit:${dead.sequenceNumber}`;
      await failUntilDeadLettered(receiver, resubmittedId, 2);
      const [again] = await deadLetters.list(orders);
      const second = await deadLetters.resubmit(orders, again.sequenceNumber);
      expect(second.resubmitted[0].messageId).toBe(`order-1:resubmit:${again.sequenceNumber}`);
      const [back] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5_000 });
      expect(back.applicationProperties).toEqual({ kind: "order", OriginalMessageId: "order-1" });
      await receiver.completeMessage(back);
    } finally {
      await receiver.close();
    }
  });

  it("npm run sb -- dead-letters lists, shows and resubmits with the same module", async () => {
    await sendWith(client, "commands", command("cli-1"));
    const receiver = client.createReceiver("commands", "payments");
    const connection = emulator.serviceBus.connectionString;
    try {
      await failUntilDeadLettered(receiver, "cli-1", 3);
      // The whole CLI once, as a process (tsx start-up costs seconds on a busy machine); the subcommands in-process.
      const { stdout } = await promisify(execFile)(process.execPath, [path.join(repoRoot, "node_modules/tsx/dist/cli.mjs"), path.join(repoRoot, "scripts/sb.ts"), "dead-letters", "list", "commands/subscriptions/payments", "--connection", connection]);
      const [listed] = JSON.parse(stdout);
      expect(listed).toMatchObject({ messageId: "cli-1", reason: "MaxDeliveryCountExceeded", deliveryCount: 3 });
      expect(await deadLettersCommand({ args: ["show", "commands/payments", String(listed.sequenceNumber)], connection })).toEqual(listed);
      const resubmitted = (await deadLettersCommand({ args: ["resubmit", "commands/subscriptions/payments"], all: true, connection })) as { resubmitted: unknown[] };
      expect(resubmitted.resubmitted).toEqual([{ sequenceNumber: listed.sequenceNumber, messageId: `cli-1:resubmit:${listed.sequenceNumber}` }]);
      const [back] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5_000 });
      expect(back.applicationProperties?.OriginalMessageId).toBe("cli-1");
      await receiver.completeMessage(back);
      await expect(deadLettersCommand({ args: ["show", "commands/subscriptions/payments", "999999"], connection })).rejects.toThrow(/no message with sequence number 999999/);
      await expect(deadLettersCommand({ args: ["resubmit", "commands/subscriptions/payments", "1"], all: true, connection })).rejects.toThrow(/not both/);
    } finally {
      await receiver.close();
    }
  });

  it("a dead letter of a session-enabled subscription goes back into its session", async () => {
    const processEntity = parseEntity("events/subscriptions/purchase-process");
    await sendWith(client, "events", { messageId: "evt-1", sessionId: "purchase-42", body: { id: "evt-1" }, applicationProperties: { eventType: "MusicFest.Payments.PaymentCaptured.v1" } });
    const session = await client.acceptSession("events", "purchase-process", "purchase-42");
    try {
      const [m] = await session.receiveMessages(1, { maxWaitTimeInMs: 5_000 });
      await session.deadLetterMessage(m, { deadLetterReason: "HandlerFailed", deadLetterErrorDescription: "state not found" });
    } finally {
      await session.close();
    }
    const [dead] = await deadLetters.list(processEntity);
    expect(dead).toMatchObject({ messageId: "evt-1", sessionId: "purchase-42", reason: "HandlerFailed" });
    await deadLetters.resubmit(processEntity, dead.sequenceNumber);
    const again = await client.acceptSession("events", "purchase-process", "purchase-42");
    try {
      const [back] = await again.receiveMessages(1, { maxWaitTimeInMs: 5_000 });
      expect(back).toMatchObject({ sessionId: "purchase-42", body: { id: "evt-1" } });
      await again.completeMessage(back);
    } finally {
      await again.close();
    }
  });

  it("refuses unknown entities and sequence numbers", async () => {
    await expect(deadLetters.list(parseEntity("commands/subscriptions/nope"))).rejects.toBeInstanceOf(DeadLetterEntityNotFoundError);
    await expect(deadLetters.list(parseEntity("no-such-queue"))).rejects.toBeInstanceOf(DeadLetterEntityNotFoundError);
    await expect(deadLetters.get(payments, 987_654)).rejects.toBeInstanceOf(DeadLetterNotFoundError);
    await expect(deadLetters.resubmit(payments, 987_654)).rejects.toBeInstanceOf(DeadLetterNotFoundError);
    expect(await deadLetters.resubmitAll(payments)).toMatchObject({ resubmitted: [] });
  });
});
