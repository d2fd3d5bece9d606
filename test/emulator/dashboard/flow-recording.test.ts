/**
 * The dashboard's flow recorder, driven by the real SDKs over real sockets: every hop the emulator observes of one
 * message, in order, under the correlation id and the trace id a user types (GET /dashboard/flows/{id}).
 */
import { AzureKeyCredential, EventGridPublisherClient } from "@azure/eventgrid";
import type { ServiceBusClient } from "@azure/service-bus";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../../emulator/index.js";
import { serviceBusClient, serviceBusConfig, sendWith } from "../../helpers/servicebus.js";
import { startWebhook, type TestWebhook, webhookSubscription } from "../eventgrid/helpers.js";
import { eventually, hubsConfig } from "../kafka/kafka-test-env.js";

let emulator: Emulator;
let client: ServiceBusClient;
let hook: TestWebhook;

const TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

beforeAll(async () => {
  hook = await startWebhook();
  emulator = await startEmulator({
    httpPort: 0,
    servicebusPort: 0,
    kafkaPort: 0,
    servicebusConfig: serviceBusConfig(
      [{ Name: "orders", Properties: { MaxDeliveryCount: 2, LockDuration: "PT30S" } }],
      [{ Name: "news", Subscriptions: [{ Name: "all" }] }],
    ),
    eventhubsConfig: hubsConfig([{ name: "clicks", partitions: 2 }]),
    eventgridConfig: {
      topics: [
        {
          name: "shop",
          properties: { inputSchema: "CloudEventSchemaV1_0" },
          eventSubscriptions: [webhookSubscription("hook", hook.url, { eventDeliverySchema: "CloudEventSchemaV1_0" })],
        },
      ],
    },
  });
  client = serviceBusClient(emulator);
});

afterAll(async () => {
  await client?.close();
  await emulator?.close();
  await hook?.close();
});

async function flow(id: string): Promise<{ kind: string; where: string; detail: string; service: string }[]> {
  const res = await fetch(`${emulator.http.url}/dashboard/flows/${encodeURIComponent(id)}`);
  if (res.status === 404) return [];
  expect(res.status).toBe(200);
  return ((await res.json()) as { hops: never[] }).hops;
}

const kinds = async (id: string) => (await flow(id)).map((h) => `${h.kind} ${h.where}`);

describe("the flow recorder", () => {
  it("files every Service Bus hop of a message under its correlation id and its trace id, in order", async () => {
    const applicationProperties = { "Diagnostic-Id": TRACEPARENT };
    await sendWith(client, "orders", { body: "x", correlationId: "order-1", applicationProperties });
    const receiver = client.createReceiver("orders");
    const [first] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    await receiver.abandonMessage(first);
    const [second] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    await receiver.deferMessage(second);
    const [deferred] = await receiver.receiveDeferredMessages([second.sequenceNumber!]);
    const reason = { deadLetterReason: "Broken", deadLetterErrorDescription: "cannot parse" };
    await receiver.deadLetterMessage(deferred, reason);
    await receiver.close();

    const expected = ["enqueued", "delivered", "abandoned", "delivered", "deferred", "delivered", "dead-lettered"]
      .map((kind) => `${kind} orders`);
    expect(await kinds("order-1")).toEqual(expected);
    expect(await kinds("4bf92f3577b34da6a3ce929d0e0e4736")).toEqual(expected);
    const dead = (await flow("order-1")).at(-1)!;
    expect(dead.detail).toContain("Broken: cannot parse");
  });

  it("shows a topic's fan-out, a scheduled message due when the clock moves, and a lock expiring", async () => {
    const sender = client.createSender("news");
    const at = new Date(emulator.clock.now() + 60_000);
    await sender.scheduleMessages({ body: "later", correlationId: "news-1" }, at);
    await sender.close();
    expect(await kinds("news-1")).toEqual(["sent news", "scheduled news"]);
    await emulator.clock.advanceInSlices(60_000);
    const due = ["sent news", "scheduled news", "enqueued news", "enqueued news/Subscriptions/all"];
    expect(await kinds("news-1")).toEqual(due);

    const receiver = client.createReceiver("news", "all");
    await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    await emulator.clock.advanceInSlices(61_000); // past the 1-minute default lock
    await receiver.close();
    const last = ["delivered news/Subscriptions/all", "lock-expired news/Subscriptions/all"];
    expect((await kinds("news-1")).slice(-2)).toEqual(last);
  });

  it("files Event Grid's publish, a failed push with its next attempt, and the delivery", async () => {
    let calls = 0;
    hook.respondWith(() => (++calls === 1 ? { status: 503 } : { status: 200 }));
    const topic = emulator.eventGrid.topics.find((t) => t.name === "shop")!;
    const credential = new AzureKeyCredential(topic.key);
    const options = { allowInsecureConnection: true };
    const publisher = new EventGridPublisherClient(topic.endpoint, "CloudEvent", credential, options);
    const extensionAttributes = { correlationid: "paid-1" };
    await publisher.send([{ type: "Shop.OrderPaid", source: "/shop", data: { id: 1 }, extensionAttributes }]);
    await eventually(() => emulator.eventGrid.subscriptionState("shop", "hook")!.counts.retrying === 1, "a retry");
    const retrying = (await flow("paid-1")).at(-1)!;
    expect(retrying.kind).toBe("retrying");
    // Event Grid waits at least 30 s after a 503 (Busy), whatever the schedule says.
    const busy = /^Shop\.OrderPaid · attempt 1 · Busy \(HTTP 503\) · next attempt \S+ \(in 30 s\)$/;
    expect(retrying.detail).toMatch(busy);
    await emulator.clock.advanceInSlices(30_000);
    await emulator.eventGrid.whenIdle("shop");
    expect(await kinds("paid-1")).toEqual(["published shop", "retrying shop/hook", "delivered shop/hook"]);
  });

  it("files Kafka records by their correlationid header when produced, and when a group commits past", async () => {
    const kafka = new Kafka({
      clientId: "flows",
      brokers: [emulator.kafka.bootstrapServers],
      sasl: { mechanism: "plain", username: "$ConnectionString", password: emulator.kafka.connectionString },
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer();
    await producer.connect();
    const headers = { correlationid: "click-1", traceparent: TRACEPARENT.replace("4bf9", "5bf9") };
    await producer.send({ topic: "clicks", messages: [{ key: "k", value: "v", partition: 1, headers }] });
    await producer.disconnect();
    expect(await kinds("click-1")).toEqual(["produced clicks/1"]);

    const admin = kafka.admin();
    await admin.connect();
    await admin.setOffsets({ groupId: "readers", topic: "clicks", partitions: [{ partition: 1, offset: "1" }] });
    await admin.disconnect();
    const hops = await flow("5bf92f3577b34da6a3ce929d0e0e4736");
    expect(hops.map((h) => `${h.kind} ${h.where}`)).toEqual(["produced clicks/1", "consumed clicks/1"]);
    expect(hops[1].detail).toBe("group readers committed past offset 0");
  });

  it("answers an unknown id with a 404 problem, and lists the most recent flows first", async () => {
    const res = await fetch(`${emulator.http.url}/dashboard/flows/nothing-here`);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    const recent = (await (await fetch(`${emulator.http.url}/dashboard/flows`)).json()) as { flows: { key: string }[] };
    expect(recent.flows.map((f) => f.key).slice(0, 2)).toEqual(["5bf92f3577b34da6a3ce929d0e0e4736", "click-1"]);
  });
});
