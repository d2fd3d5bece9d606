/**
 * ServiceBusAdministrationClient against the emulator over HTTPS on the AMQP port (one connection string for both
 * clients), with the emulator's self-signed certificate passed as tlsOptions.ca.
 */
import net from "node:net";
import { type ServiceBusAdministrationClient, ServiceBusAdministrationClient as AdminClient, type ServiceBusClient } from "@azure/service-bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateCertificate } from "../../../emulator/common/tls.js";
import { type Emulator, startEmulator } from "../../../emulator/index.js";
import { serviceBusClient, serviceBusConfig } from "../../helpers/servicebus.js";

let emulator: Emulator;
let admin: ServiceBusAdministrationClient;
let client: ServiceBusClient;
/** Two SAS keys as Azure makes them (32 random bytes, base64). */
const KEY_A = Buffer.alloc(32, 1).toString("base64");
const KEY_B = Buffer.alloc(32, 2).toString("base64");
type AccessRights = "Manage" | "Send" | "Listen";

beforeAll(async () => {
  const tlsCertificate = await generateCertificate();
  const config = serviceBusConfig(
    [{ Name: "configured", Properties: { LockDuration: "PT30S", MaxDeliveryCount: 3 } }],
    [{ Name: "configured-topic", Subscriptions: [{ Name: "all" }] }],
  );
  emulator = await startEmulator({ servicebusConfig: config, servicebusPort: 0, httpPort: 0, kafkaPort: 0, tlsCertificate } as Parameters<typeof startEmulator>[0]);
  admin = new AdminClient(emulator.serviceBus.connectionString, { tlsOptions: { ca: tlsCertificate.cert }, retryOptions: { maxRetries: 0 } });
  client = serviceBusClient(emulator);
});

afterAll(async () => {
  await client?.close();
  await emulator?.close();
});

async function errorOf(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error("expected the call to fail");
}

describe("Service Bus administration API (HTTPS on the AMQP port)", () => {
  it("creates a queue with the given properties and returns Azure's defaults for the rest", async () => {
    const created = await admin.createQueue("orders", { lockDuration: "PT45S", maxDeliveryCount: 4, requiresSession: false, userMetadata: "team=a" });
    expect(created.name).toBe("orders");
    expect(created.lockDuration).toBe("PT45S");
    expect(created.maxDeliveryCount).toBe(4);
    expect(created.userMetadata).toBe("team=a");
    expect(created.defaultMessageTimeToLive).toBe("P10675199DT2H48M5.4775807S");
    expect(created.maxSizeInMegabytes).toBe(1024);
    const got = await admin.getQueue("orders");
    expect(got.lockDuration).toBe("PT45S");
    expect(await admin.queueExists("orders")).toBe(true);
    expect(await admin.queueExists("nope")).toBe(false);
  });

  it("refuses to create an entity twice, with MessageEntityAlreadyExistsError", async () => {
    await admin.createQueue("twice");
    const err = await errorOf(admin.createQueue("twice"));
    expect(err.code).toBe("MessageEntityAlreadyExistsError");
    expect(err.statusCode).toBe(409);
  });

  it("reports a missing entity as MessageEntityNotFoundError on get, update and delete", async () => {
    expect((await errorOf(admin.getQueue("missing"))).code).toBe("MessageEntityNotFoundError");
    expect((await errorOf(admin.deleteQueue("missing"))).code).toBe("MessageEntityNotFoundError");
    expect((await errorOf(admin.getSubscription("configured-topic", "missing"))).code).toBe("MessageEntityNotFoundError");
    expect((await errorOf(admin.getRule("configured-topic", "all", "missing"))).code).toBe("MessageEntityNotFoundError");
  });

  it("answers 400 (ServiceError) for a LockDuration over 5 minutes and keeps nothing", async () => {
    const err = await errorOf(admin.createQueue("too-long-lock", { lockDuration: "PT6M" }));
    expect(err.statusCode).toBe(400);
    expect(err.code).toBe("ServiceError");
    expect(err.message).toMatch(/LockDuration/);
    expect(await admin.queueExists("too-long-lock")).toBe(false);
  });

  it("updates and deletes a queue", async () => {
    await admin.createQueue("changing");
    const queue = await admin.getQueue("changing");
    const updated = await admin.updateQueue({ ...queue, maxDeliveryCount: 7, lockDuration: "PT2M" });
    expect(updated.maxDeliveryCount).toBe(7);
    expect((await admin.getQueue("changing")).lockDuration).toBe("PT2M");
    await admin.deleteQueue("changing");
    expect(await admin.queueExists("changing")).toBe(false);
  });

  it("lists queues page by page", async () => {
    for (let i = 0; i < 5; i++) await admin.createQueue(`paged-${i}`);
    const names: string[] = [];
    for await (const page of admin.listQueues().byPage({ maxPageSize: 2 })) {
      expect(page.length).toBeLessThanOrEqual(2);
      names.push(...page.map((q) => q.name));
    }
    expect(names).toEqual(expect.arrayContaining(["configured", "paged-0", "paged-1", "paged-2", "paged-3", "paged-4"]));
    expect(new Set(names).size).toBe(names.length);
  });

  it("serves queues created here to ServiceBusClient, and reports runtime counts", async () => {
    await admin.createQueue("runtime", { maxDeliveryCount: 1 });
    const sender = client.createSender("runtime");
    await sender.sendMessages([{ body: "a" }, { body: "b" }, { body: "c" }]);
    await sender.scheduleMessages({ body: "later" }, new Date(Date.now() + 3_600_000));
    const receiver = client.createReceiver("runtime");
    const [first] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    await receiver.deadLetterMessage(first, { deadLetterReason: "test", deadLetterErrorDescription: "admin test" });
    const props = await admin.getQueueRuntimeProperties("runtime");
    expect(props.activeMessageCount).toBe(2);
    expect(props.deadLetterMessageCount).toBe(1);
    expect(props.scheduledMessageCount).toBe(1);
    expect(props.totalMessageCount).toBe(4);
    expect(props.sizeInBytes).toBeGreaterThan(0);
    await receiver.close();
    await sender.close();
  });

  it("reads and updates a queue the config declared, and the change applies to receivers", async () => {
    const queue = await admin.getQueue("configured");
    expect(queue.lockDuration).toBe("PT30S");
    expect(queue.maxDeliveryCount).toBe(3);
    await admin.updateQueue({ ...queue, lockDuration: "PT10S" });
    await client.createSender("configured").sendMessages({ body: 1 });
    const receiver = client.createReceiver("configured");
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(message.lockedUntilUtc!.getTime() - message.enqueuedTimeUtc!.getTime()).toBeLessThanOrEqual(11_000);
    await receiver.completeMessage(message);
    await receiver.close();
  });

  it("creates topics, subscriptions and rules, and the rules filter what subscribers get", async () => {
    const topic = await admin.createTopic("events", { maxSizeInMegabytes: 2048 });
    expect(topic.maxSizeInMegabytes).toBe(2048);
    await admin.createSubscription("events", "red");
    await admin.createSubscription("events", "blue", { maxDeliveryCount: 2 });
    const defaultRule = await admin.getRule("events", "red", "$Default");
    expect(defaultRule.filter).toEqual({ sqlExpression: "1=1", sqlParameters: undefined });
    await admin.deleteRule("events", "red", "$Default");
    const rule = await admin.createRule("events", "red", "only-red", { sqlExpression: "color = @c", sqlParameters: { "@c": "red" } }, { sqlExpression: "SET seen = 1" });
    expect(rule.filter).toMatchObject({ sqlExpression: "color = @c" });
    expect(rule.action.sqlExpression).toBe("SET seen = 1");
    await admin.createRule("events", "blue", "corr", { subject: "blue", applicationProperties: { weight: 5 } });
    const rules = [];
    for await (const r of admin.listRules("events", "blue")) rules.push(r.name);
    expect(rules.sort()).toEqual(["$Default", "corr"]);

    const sender = client.createSender("events");
    await sender.sendMessages([{ body: "r", applicationProperties: { color: "red" } }, { body: "g", applicationProperties: { color: "green" } }]);
    const red = client.createReceiver("events", "red");
    const got = await red.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(got.map((m) => m.body)).toEqual(["r"]);
    expect((await admin.getSubscriptionRuntimeProperties("events", "red")).activeMessageCount).toBe(1);
    expect(got[0].applicationProperties?.seen).toBe(1);
    await red.completeMessage(got[0]);
    const runtime = await admin.getSubscriptionRuntimeProperties("events", "blue");
    expect(runtime.activeMessageCount).toBe(2);
    const topicRuntime = await admin.getTopicRuntimeProperties("events");
    expect(topicRuntime.subscriptionCount).toBe(2);
    await red.close();
    await sender.close();

    const subs = [];
    for await (const s of admin.listSubscriptions("events")) subs.push(s.subscriptionName);
    expect(subs.sort()).toEqual(["blue", "red"]);
    const updated = await admin.updateSubscription({ ...(await admin.getSubscription("events", "blue")), maxDeliveryCount: 9 });
    expect(updated.maxDeliveryCount).toBe(9);
    const updatedRule = await admin.updateRule("events", "blue", { ...(await admin.getRule("events", "blue", "corr")), filter: { correlationId: "x" } });
    expect(updatedRule.filter).toMatchObject({ correlationId: "x" });
    await admin.deleteSubscription("events", "blue");
    expect(await admin.subscriptionExists("events", "blue")).toBe(false);
    await admin.deleteTopic("events");
    expect(await admin.topicExists("events")).toBe(false);
  });

  it("a rule manager opened before its subscription was deleted and created again serves the new one", async () => {
    await admin.createTopic("recreated");
    await admin.createSubscription("recreated", "sub");
    const rules = client.createRuleManager("recreated", "sub");
    const names = async () => {
      const out: string[] = [];
      for await (const rule of rules.listRules()) out.push(rule.name);
      return out.sort();
    };
    await rules.createRule("old-only", { sqlExpression: "1=1" });
    expect(await names()).toEqual(["$Default", "old-only"]);
    await admin.deleteSubscription("recreated", "sub");
    await admin.createSubscription("recreated", "sub");
    // The same rule manager, so the same $management link, opened on the subscription that is gone.
    expect(await names()).toEqual(["$Default"]);
    await rules.createRule("new-only", { sqlExpression: "2=2" });
    await rules.deleteRule("$Default");
    const { value: page } = await admin.listRules("recreated", "sub").byPage().next();
    expect(page.map((r: { name: string }) => r.name)).toEqual(["new-only"]);
  });

  it("refuses a rule whose SQL does not parse, with a 400", async () => {
    const err = await errorOf(admin.createRule("configured-topic", "all", "bad", { sqlExpression: "color = = 'x'" }));
    expect(err.statusCode).toBe(400);
    expect(err.message).toMatch(/color = = 'x'/);
  });

  it("lists topics and reports namespace properties", async () => {
    const topics = [];
    for await (const t of admin.listTopics()) topics.push(t.name);
    expect(topics).toContain("configured-topic");
    const ns = await admin.getNamespaceProperties();
    expect(ns.name).toBe("sbemulatorns");
    expect(ns.messagingSku).toBe("Standard");
    expect(ns.createdAt).toBeInstanceOf(Date);
  });

  it("closes a socket whose TLS handshake is garbage and keeps serving both protocols on the port", async () => {
    const closed = await new Promise<boolean>((resolve, reject) => {
      const socket = net.connect(emulator.serviceBus.port, "127.0.0.1", () => socket.write(Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x00, 0x20]), Buffer.alloc(32, 0xee)])));
      socket.on("error", () => undefined);
      socket.on("data", () => undefined);
      socket.on("close", () => resolve(true));
      socket.setTimeout(5000, () => reject(new Error("the server kept a garbage TLS socket open")));
    });
    expect(closed).toBe(true);
    expect(await admin.queueExists("configured")).toBe(true);
    await client.createSender("configured").sendMessages({ body: "still here" });
    const receiver = client.createReceiver("configured", { receiveMode: "receiveAndDelete" });
    expect((await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 })).map((m) => m.body)).toEqual(["still here"]);
    await receiver.close();
  });

  it("rejects a wrong key with UnauthorizedRequestError", async () => {
    const wrong = emulator.serviceBus.connectionString.replace("SharedAccessKey=SAS_KEY_VALUE", "SharedAccessKey=wrong");
    const other = new AdminClient(wrong, { tlsOptions: { ca: (await emulator.serviceBus.certificate()).cert }, retryOptions: { maxRetries: 0 } });
    const err = await errorOf(other.getQueue("configured"));
    expect(err.code).toBe("UnauthorizedRequestError");
    expect(err.statusCode).toBe(401);
  });
});

describe("Service Bus administration API: what Azure returns for each entity kind", () => {
  it("reports queues, topics and subscriptions as Available (EntityAvailabilityStatus)", async () => {
    const topic = await admin.createTopic("availability-topic");
    expect(topic.availabilityStatus).toBe("Available");
    expect((await admin.getTopic("availability-topic")).availabilityStatus).toBe("Available");
    expect((await admin.getTopic("configured-topic")).availabilityStatus).toBe("Available");
    expect((await admin.getQueue("configured")).availabilityStatus).toBe("Available");
    expect((await admin.getSubscription("configured-topic", "all")).availabilityStatus).toBe("Available");
  });

  it("reports a partitioned queue's or topic's MaxSizeInMegabytes as 16 partitions of the size asked for", async () => {
    const queue = await admin.createQueue("partitioned-q", { enablePartitioning: true, maxSizeInMegabytes: 2048 });
    expect(queue.maxSizeInMegabytes).toBe(32_768);
    expect((await admin.getQueue("partitioned-q")).maxSizeInMegabytes).toBe(32_768);
    const topic = await admin.createTopic("partitioned-t", { enablePartitioning: true });
    expect(topic.maxSizeInMegabytes).toBe(16_384);
    expect((await admin.createQueue("plain-size-q", { maxSizeInMegabytes: 2048 })).maxSizeInMegabytes).toBe(2048);
    // get -> update sends the reported size back; it must not be multiplied again.
    const updated = await admin.updateQueue({ ...(await admin.getQueue("partitioned-q")), maxDeliveryCount: 3 });
    expect(updated.maxSizeInMegabytes).toBe(32_768);
    const resized = await admin.updateTopic({ ...(await admin.getTopic("partitioned-t")), maxSizeInMegabytes: 3072 });
    expect(resized.maxSizeInMegabytes).toBe(49_152);
  });

  it("keeps the SAS authorization rules given on create and update of a queue or topic", async () => {
    const keys = { primaryKey: KEY_A, secondaryKey: KEY_B };
    const claimType = "SharedAccessKey";
    const sendOnly = { keyName: "sender", accessRights: ["Send"] as AccessRights[], ...keys, claimType };
    const created = await admin.createQueue("with-rules", { authorizationRules: [sendOnly] });
    const expected = expect.objectContaining({ keyName: "sender", accessRights: ["Send"], ...keys });
    expect(created.authorizationRules).toEqual([expected]);
    const got = await admin.getQueue("with-rules");
    expect(got.authorizationRules?.map((r) => r.keyName)).toEqual(["sender"]);
    const listen = { keyName: "reader", accessRights: ["Listen", "Send"] as AccessRights[], claimType };
    const updated = await admin.updateQueue({ ...got, authorizationRules: [...got.authorizationRules!, listen] });
    const rights = updated.authorizationRules?.map((r) => [r.keyName, r.accessRights]);
    expect(rights).toEqual([["sender", ["Send"]], ["reader", ["Listen", "Send"]]]);
    // A rule without keys gets keys of its own, as Azure makes them.
    const reader = (await admin.getQueue("with-rules")).authorizationRules!.find((r) => r.keyName === "reader")!;
    expect(Buffer.from(reader.primaryKey!, "base64")).toHaveLength(32);
    expect(reader.secondaryKey).not.toBe(reader.primaryKey);

    const publisher = { ...sendOnly, keyName: "publisher" };
    const topic = await admin.createTopic("topic-with-rules", { authorizationRules: [publisher] });
    expect(topic.authorizationRules?.map((r) => r.keyName)).toEqual(["publisher"]);
    expect((await admin.getTopic("topic-with-rules")).authorizationRules?.map((r) => r.keyName)).toEqual(["publisher"]);
  });

  it("lets a client connect with a queue's own SAS rule, for what the rule's rights allow", async () => {
    const claimType = "SharedAccessKey";
    const onlySend = { keyName: "only-send", accessRights: ["Send"] as AccessRights[], claimType };
    const rules = [{ ...onlySend, primaryKey: KEY_A, secondaryKey: KEY_B }];
    await admin.createQueue("entity-keys", { authorizationRules: rules });
    const base = emulator.serviceBus.connectionString;
    const withKey = (key: string) =>
      base.replace("KeyName=RootManageSharedAccessKey", "KeyName=only-send").replace("SAS_KEY_VALUE", key);
    const entityClient = serviceBusClient(emulator, {}, withKey(KEY_B));
    await entityClient.createSender("entity-keys").sendMessages({ body: "sent with the queue's secondary key" });
    const receiver = entityClient.createReceiver("entity-keys");
    const listenErr = await errorOf(receiver.receiveMessages(1, { maxWaitTimeInMs: 1000 }));
    expect(listenErr.code).toBe("UnauthorizedAccess");
    expect(listenErr.message).toMatch(/Listen/);
    const elsewhere = await errorOf(entityClient.createSender("configured").sendMessages({ body: "not this queue" }));
    expect(elsewhere.code).toBe("UnauthorizedAccess");
    await entityClient.close();
    const wrongKey = serviceBusClient(emulator, {}, withKey(Buffer.alloc(32, 9).toString("base64")));
    const wrongKeyErr = await errorOf(wrongKey.createSender("entity-keys").sendMessages({ body: "x" }));
    expect(wrongKeyErr.code).toBe("UnauthorizedAccess");
    await wrongKey.close();
    const check = client.createReceiver("entity-keys", { receiveMode: "receiveAndDelete" });
    const received = await check.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(received.map((m) => m.body)).toEqual(["sent with the queue's secondary key"]);
    await check.close();
  });

  it("refuses an authorization rule with an unknown right, with a 400, and keeps nothing", async () => {
    const readRule = { keyName: "x", accessRights: ["Read" as AccessRights], claimType: "SharedAccessKey" };
    const err = await errorOf(admin.createQueue("bad-rules", { authorizationRules: [readRule] }));
    expect(err.statusCode).toBe(400);
    expect(err.message).toMatch(/Read/);
    expect(await admin.queueExists("bad-rules")).toBe(false);
  });

  it("creates a subscription with the default rule it is given instead of the TrueFilter $Default", async () => {
    await admin.createTopic("default-rule-topic");
    const options = { defaultRuleOptions: { name: "only-red", filter: { sqlExpression: "color = 'red'" } } };
    await admin.createSubscription("default-rule-topic", "reds", options);
    const rules = [];
    for await (const rule of admin.listRules("default-rule-topic", "reds")) rules.push(rule);
    const described = rules.map((r) => [r.name, (r.filter as { sqlExpression?: string }).sqlExpression]);
    expect(described).toEqual([["only-red", "color = 'red'"]]);

    const sender = client.createSender("default-rule-topic");
    const green = { body: "g", applicationProperties: { color: "green" } };
    await sender.sendMessages([green, { body: "r", applicationProperties: { color: "red" } }]);
    const receiver = client.createReceiver("default-rule-topic", "reds", { receiveMode: "receiveAndDelete" });
    expect((await receiver.receiveMessages(2, { maxWaitTimeInMs: 1000 })).map((m) => m.body)).toEqual(["r"]);
    await receiver.close();
    await sender.close();
  });
});
