import { isServiceBusError, type RuleProperties, type ServiceBusClient, type ServiceBusMessage, type ServiceBusReceivedMessage } from "@azure/service-bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../../../emulator/index.js";
import { serviceBusClient, serviceBusConfig, startServiceBusEmulator } from "../../helpers/servicebus.js";

let emulator: Emulator;
let client: ServiceBusClient;

beforeAll(async () => {
  emulator = await startServiceBusEmulator(
    serviceBusConfig(
      [],
      // One topic per test, so one test's messages never reach another's subscriptions.
      [
        { Name: "listing", Subscriptions: [{ Name: "listing" }] },
        { Name: "red", Subscriptions: [{ Name: "red" }] },
        { Name: "vip", Subscriptions: [{ Name: "vip" }] },
        { Name: "errors", Subscriptions: [{ Name: "errors" }, { Name: "strict", Properties: { DeadLetteringOnFilterEvaluationExceptions: false } }] },
      ],
    ),
  );
  client = serviceBusClient(emulator);
});

afterAll(async () => {
  await client?.close();
  await emulator?.close();
});

/** The topic of a subscription: "strict" shares the "errors" topic, every other subscription has its own. */
const topicOf = (subscription: string) => (subscription === "strict" ? "errors" : subscription);
const ruleManager = (subscription: string) => client.createRuleManager(topicOf(subscription), subscription);

async function listRules(subscription: string): Promise<RuleProperties[]> {
  const rules: RuleProperties[] = [];
  for await (const rule of ruleManager(subscription).listRules()) rules.push(rule);
  return rules;
}

async function publish(topic: string, messages: ServiceBusMessage[]): Promise<void> {
  const sender = client.createSender(topic);
  await sender.sendMessages(messages);
  await sender.close();
}

async function drain(subscription: string, subQueueType?: "deadLetter"): Promise<ServiceBusReceivedMessage[]> {
  const receiver = client.createReceiver(topicOf(subscription), subscription, { receiveMode: "receiveAndDelete", subQueueType });
  const messages = await receiver.receiveMessages(10, { maxWaitTimeInMs: 300 });
  await receiver.close();
  return messages;
}

const codeOf = (err: unknown) => (isServiceBusError(err) ? err.code : String(err));

describe("Service Bus rule manager", () => {
  it("listRules shows the $Default rule as 1=1, and rules created with SQL and correlation filters and actions", async () => {
    expect(await listRules("listing")).toEqual([{ name: "$Default", filter: { sqlExpression: "1=1" }, action: {} }]);
    const rules = ruleManager("listing");
    await rules.createRule("cheap", { sqlExpression: "price < 10" }, { sqlExpression: "SET label = 'cheap'" });
    await rules.createRule("by-id", { correlationId: "c-1", subject: "order", applicationProperties: { region: "eu", level: 3 } });
    await rules.createRule("never", { sqlExpression: "1=0" });
    const listed = await listRules("listing");
    expect(listed.map((r) => r.name)).toEqual(["$Default", "cheap", "by-id", "never"]);
    expect(listed[1]).toEqual({ name: "cheap", filter: { sqlExpression: "price < 10" }, action: { sqlExpression: "SET label = 'cheap'" } });
    expect(listed[2].filter).toMatchObject({ correlationId: "c-1", subject: "order", applicationProperties: { region: "eu", level: 3 } });
    expect(listed[3].filter).toEqual({ sqlExpression: "1=0" });
  });

  it("rules created and deleted at run time decide what the subscription receives; actions change its copy", async () => {
    const rules = ruleManager("red");
    await rules.createRule("red-only", { sqlExpression: "color = 'red'" }, { sqlExpression: "SET tagged = true; SET sys.Label = 'red-item'" });
    await rules.deleteRule("$Default");
    await publish("red", [
      { body: "apple", applicationProperties: { color: "red" } },
      { body: "pear", applicationProperties: { color: "green" } },
      // User property names match ignoring case, as in Azure.
      { body: "cherry", applicationProperties: { Color: "red" } },
    ]);
    const received = await drain("red");
    expect(received.map((m) => m.body)).toEqual(["apple", "cherry"]);
    expect(received[0].applicationProperties).toEqual({ color: "red", tagged: true });
    expect(received[0].subject).toBe("red-item");
    await rules.deleteRule("red-only");
    await publish("red", [{ body: "tomato", applicationProperties: { color: "red" } }]);
    expect(await drain("red")).toHaveLength(0);
  });

  it("a correlation rule matches system and application properties", async () => {
    const rules = ruleManager("vip");
    await rules.deleteRule("$Default");
    await rules.createRule("vip", { subject: "order", applicationProperties: { tier: "gold" } });
    await publish("vip", [
      { body: "gold order", subject: "order", applicationProperties: { tier: "gold" } },
      { body: "silver order", subject: "order", applicationProperties: { tier: "silver" } },
      { body: "gold refund", subject: "refund", applicationProperties: { tier: "gold" } },
    ]);
    expect((await drain("vip")).map((m) => m.body)).toEqual(["gold order"]);
  });

  it("refuses a duplicate rule name, a missing rule, and a SQL filter that does not parse", async () => {
    const rules = ruleManager("listing");
    expect(codeOf(await rules.createRule("cheap", { sqlExpression: "1=1" }).catch((e: unknown) => e))).toBe("MessagingEntityAlreadyExists");
    expect(codeOf(await rules.deleteRule("no-such-rule").catch((e: unknown) => e))).toBe("MessagingEntityNotFound");
    const bad = await rules.createRule("broken", { sqlExpression: "price < " }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(Error);
    expect((bad as Error).message).toMatch(/ArgumentError: Invalid rule 'broken'.*position 8/);
    expect((await listRules("listing")).map((r) => r.name)).not.toContain("broken");
  });

  it("a rule action that fails dead-letters the message with FilterEvaluationException, or drops it without that setting", async () => {
    for (const subscription of ["errors", "strict"]) {
      const rules = ruleManager(subscription);
      await rules.deleteRule("$Default");
      await rules.createRule("divide", { sqlExpression: "1=1" }, { sqlExpression: "SET ratio = quantity / 0" });
    }
    await publish("errors", [{ body: "bad maths", applicationProperties: { quantity: 4 } }]);
    expect(await drain("errors")).toHaveLength(0);
    const [dead] = await drain("errors", "deadLetter");
    expect(dead.body).toBe("bad maths");
    expect(dead.deadLetterReason).toBe("FilterEvaluationException");
    expect(dead.applicationProperties?.ratio).toBeUndefined();
    expect(await drain("strict")).toHaveLength(0);
    expect(await drain("strict", "deadLetter")).toHaveLength(0);
  });
});
