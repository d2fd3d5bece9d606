/**
 * Durable mode (`--data-dir`): the emulator process is killed with SIGKILL in the middle of a send loop and started
 * again on the same data directory; every send the SDK saw succeed is there exactly once, completed messages never
 * come back, receivers continue where they were, and entities, scheduled messages, dead letters, session states and
 * rules survive. Also a clean restart with a torn record at the end of the log, and compaction at start.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { appendFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ServiceBusAdministrationClient, ServiceBusClient, type ServiceBusReceivedMessage, type ServiceBusSender } from "@azure/service-bus";
import { afterAll, describe, expect, it } from "vitest";
import { startEmulator } from "../../../emulator/index.js";
import { serviceBusClient, serviceBusConfig } from "../../helpers/servicebus.js";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const root = mkdtempSync(join(tmpdir(), "sb-durable-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const config = serviceBusConfig(
  [{ Name: "orders", Properties: { LockDuration: "PT1M", MaxDeliveryCount: 10 } }, { Name: "sessions", Properties: { RequiresSession: true } }],
  [{ Name: "events", Subscriptions: [{ Name: "all" }] }],
);

interface Running {
  child: ChildProcess;
  connectionString: string;
  httpUrl: string;
}

/**
 * `tsx emulator/cli.ts --data-dir …` on free ports, as one process (`node --import tsx`, so SIGKILL reaches the
 * emulator itself, not a wrapper); resolves with the printed connection string and HTTP URL.
 */
async function startCli(dataDir: string, configFile: string): Promise<Running> {
  const ports = ["--servicebus-port", "0", "--servicebus-amqps-port", "0", "--http-port", "0", "--kafka-port", "0"];
  const files = ["--data-dir", dataDir, "--servicebus-config", configFile];
  const args = ["--import", "tsx", "emulator/cli.ts", ...files, ...ports, "--log-level", "warn"];
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let errOut = "";
  child.stderr!.on("data", (chunk: Buffer) => (errOut += chunk.toString()));
  return new Promise<Running>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the emulator did not start within 20 s:\n${out}${errOut}`)), 20_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const lines = out.split("\n");
      const at = lines.indexOf("Service Bus connection string:");
      const health = /^Health: (http:\/\/\S+)\/health$/m.exec(out);
      if (at >= 0 && lines.length > at + 2 && health) {
        clearTimeout(timer);
        resolve({ child, connectionString: lines[at + 1].trim(), httpUrl: health[1] });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the emulator exited with code ${code}:\n${out}${errOut}`));
    });
  });
}

async function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill(signal);
  await exited;
}

/** The SDK's administration client, sent to the emulator's plain HTTP port. */
function adminClient(connectionString: string, httpUrl: string): ServiceBusAdministrationClient {
  const admin = new ServiceBusAdministrationClient(connectionString, { retryOptions: { maxRetries: 0 } });
  admin.pipeline.addPolicy({
    name: "emulatorHttp",
    sendRequest: (request, next) => {
      request.url = request.url.replace(/^https:\/\/[^/]+/, httpUrl);
      request.allowInsecureConnection = true;
      return next(request);
    },
  });
  return admin;
}

function clientFor(connectionString: string): ServiceBusClient {
  return new ServiceBusClient(connectionString, { retryOptions: { maxRetries: 0, timeoutInMs: 5_000 } });
}

/** Senders that each send one message at a time until stopped or refused; records the ids the SDK saw accepted. */
function sendLoop(sender: ServiceBusSender, loops: number): { acknowledged: Set<string>; attempted: Set<string>; done: Promise<void> } {
  const acknowledged = new Set<string>();
  const attempted = new Set<string>();
  const loop = async (k: number) => {
    for (let n = 0; ; n++) {
      const id = `loop-${k}-${n}`;
      attempted.add(id);
      try {
        await sender.sendMessages({ body: { k, n }, messageId: id });
      } catch {
        return;
      }
      acknowledged.add(id);
    }
  };
  const done = Promise.all(Array.from({ length: loops }, (_, k) => loop(k))).then(() => undefined);
  return { acknowledged, attempted, done };
}

function until(condition: () => boolean, what: string, ms = 15_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const check = () => {
      if (condition()) resolve();
      else if (Date.now() - started > ms) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(check, 5);
    };
    check();
  });
}

describe("Service Bus durable mode", () => {
  it("keeps every acknowledged send across kill -9, never brings back a completed message, and receivers continue", async () => {
    const dataDir = join(root, "killed");
    const configFile = join(root, "servicebus.json");
    writeFileSync(configFile, JSON.stringify(config));

    const first = await startCli(dataDir, configFile);
    let second: Running | undefined;
    let restarted: Promise<Running> | undefined;
    try {
      const admin = adminClient(first.connectionString, first.httpUrl);
      await admin.createQueue("made-at-run-time", { maxDeliveryCount: 3 });
      const client = clientFor(first.connectionString);
      const sender = client.createSender("orders");
      const receiver = client.createReceiver("orders");

      const [scheduled] = await sender.scheduleMessages({ body: "later", messageId: "scheduled" }, new Date(Date.now() + 3_600_000));
      await sender.sendMessages(["done-0", "done-1", "done-2", "doomed", "held-0", "held-1"].map((id) => ({ body: id, messageId: id })));
      const firstBatch = await receiver.receiveMessages(6, { maxWaitTimeInMs: 5_000 });
      expect(firstBatch.map((m) => m.messageId)).toEqual(["done-0", "done-1", "done-2", "doomed", "held-0", "held-1"]);
      for (const m of firstBatch.slice(0, 3)) await receiver.completeMessage(m);
      await receiver.deadLetterMessage(firstBatch[3], { deadLetterReason: "PaymentDeclined", deadLetterErrorDescription: "card expired" });
      // held-0 and held-1 stay locked when the process dies.

      const loop = sendLoop(sender, 8);
      await until(() => loop.acknowledged.size >= 400, "400 acknowledged sends");
      await stop(first.child, "SIGKILL");
      await client.close();
      // The sends in flight fail once their operation timeout runs out; meanwhile the emulator starts again.
      restarted = startCli(dataDir, configFile);
      await loop.done;
      const lastSequenceBefore = Math.max(...firstBatch.map((m) => Number(m.sequenceNumber)));
      // Each of the 8 loops had a send in flight when the process died, and saw it fail.
      expect(loop.attempted.size).toBe(loop.acknowledged.size + 8);

      second = await restarted;
      const again = clientFor(second.connectionString);
      const admin2 = adminClient(second.connectionString, second.httpUrl);
      expect((await admin2.getQueue("made-at-run-time")).maxDeliveryCount).toBe(3);
      const counts = await admin2.getQueueRuntimeProperties("orders");
      expect(counts.scheduledMessageCount).toBe(1);
      expect(counts.deadLetterMessageCount).toBe(1);

      const reader = again.createReceiver("orders", { receiveMode: "receiveAndDelete" });
      const seen = new Map<string, number>();
      const deliveryCounts = new Map<string, number>();
      let maxSequence = 0;
      while ([...seen.values()].reduce((a, b) => a + b, 0) < counts.activeMessageCount) {
        const batch = await reader.receiveMessages(500, { maxWaitTimeInMs: 2_000 });
        if (batch.length === 0) break;
        for (const m of batch) {
          const id = String(m.messageId);
          seen.set(id, (seen.get(id) ?? 0) + 1);
          deliveryCounts.set(id, m.deliveryCount ?? 0);
          maxSequence = Math.max(maxSequence, Number(m.sequenceNumber));
        }
      }

      // Every acknowledged send is there exactly once; unacknowledged ones may be there, never twice.
      const missing = [...loop.acknowledged].filter((id) => seen.get(id) !== 1);
      expect(missing).toEqual([]);
      expect([...seen].filter(([, n]) => n > 1)).toEqual([]);
      expect([...seen.keys()].filter((id) => id.startsWith("loop-") && !loop.attempted.has(id))).toEqual([]);
      // Completed messages never come back; the locked ones do, with the delivery they had.
      expect(["done-0", "done-1", "done-2", "doomed"].filter((id) => seen.has(id))).toEqual([]);
      expect(deliveryCounts.get("held-0")).toBe(1);
      expect(deliveryCounts.get("held-1")).toBe(1);

      const deadLetters = await again.createReceiver("orders", { subQueueType: "deadLetter" }).receiveMessages(1, { maxWaitTimeInMs: 2_000 });
      expect(deadLetters.map((m) => [m.messageId, m.deadLetterReason, m.deadLetterErrorDescription])).toEqual([["doomed", "PaymentDeclined", "card expired"]]);
      const [peeked] = await reader.peekMessages(1, { fromSequenceNumber: scheduled });
      expect([peeked.messageId, peeked.state]).toEqual(["scheduled", "scheduled"]);

      // Sequence numbers continue upwards.
      await again.createSender("orders").sendMessages({ body: "after", messageId: "after-restart" });
      const [after] = await reader.receiveMessages(1, { maxWaitTimeInMs: 2_000 });
      expect(after.messageId).toBe("after-restart");
      expect(Number(after.sequenceNumber)).toBeGreaterThan(Math.max(maxSequence, lastSequenceBefore, Number(scheduled)));
      await again.close();
    } finally {
      await stop(first.child, "SIGKILL");
      second ??= await restarted?.catch(() => undefined);
      if (second) await stop(second.child, "SIGTERM");
    }
  }, 40_000);

  it("restores deferred messages, session state, subscriptions and rules, drops a torn last record, and compacts at start", async () => {
    const dataDir = join(root, "clean");
    const start = () => startEmulator({ servicebusConfig: config, servicebusPort: 0, httpPort: 0, kafkaPort: 0, dataDir });
    const first = await start();
    let deferredSeq: ServiceBusReceivedMessage["sequenceNumber"];
    try {
      const admin = adminClient(first.serviceBus.connectionString, first.http.url);
      await admin.createSubscription("events", "vip");
      await admin.createRule("events", "vip", "vip-only", { sqlExpression: "tier = 'vip'" });
      await admin.deleteRule("events", "vip", "$Default");
      await admin.createQueue("gone");
      const client = serviceBusClient(first);
      await client.createSender("gone").sendMessages({ body: "lost with its queue" });
      await admin.deleteQueue("gone");
      await admin.createQueue("gone");

      // Churn: 1,200 messages of 1 KB sent and completed leave a log far bigger than what is live.
      const orders = client.createSender("orders");
      const body = "x".repeat(1024);
      for (let i = 0; i < 12; i++) await orders.sendMessages(Array.from({ length: 100 }, () => ({ body })));
      const churn = client.createReceiver("orders", { receiveMode: "receiveAndDelete" });
      let drained = 0;
      while (drained < 1_200) drained += (await churn.receiveMessages(500, { maxWaitTimeInMs: 2_000 })).length;

      await orders.sendMessages({ body: "defer me", messageId: "deferred" });
      const receiver = client.createReceiver("orders");
      const [toDefer] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2_000 });
      await receiver.deferMessage(toDefer, { note: "later" });
      deferredSeq = toDefer.sequenceNumber;

      await client.createSender("sessions").sendMessages({ body: "s", sessionId: "fan-1" });
      const session = await client.acceptSession("sessions", "fan-1");
      await session.setSessionState("step-2");
      await session.close();

      await client.createSender("events").sendMessages([
        { body: "for everyone", messageId: "plain", applicationProperties: { tier: "standard" } },
        { body: "for vips", messageId: "vip", applicationProperties: { tier: "vip" } },
      ]);
      await client.close();
    } finally {
      await first.close();
    }
    const log = join(dataDir, "servicebus", "wal.log");
    const sizeBefore = statSync(log).size;
    expect(sizeBefore).toBeGreaterThan(1_200 * 1024);
    // A crash in the middle of a write leaves part of a record at the end of the log.
    appendFileSync(log, Buffer.from([200, 0, 0, 0, 1, 2, 3, 4, 3, 9, 9]));

    const second = await start();
    try {
      expect(statSync(log).size).toBeLessThan(sizeBefore / 4);
      const client = serviceBusClient(second);
      const receiver = client.createReceiver("orders");
      const [deferred] = await receiver.receiveDeferredMessages(deferredSeq!);
      expect([deferred.messageId, deferred.applicationProperties?.note, deferred.deliveryCount]).toEqual(["deferred", "later", 1]);
      await receiver.completeMessage(deferred);

      const session = await client.acceptSession("sessions", "fan-1");
      expect(String(await session.getSessionState())).toBe("step-2");
      await session.close();

      const admin = adminClient(second.serviceBus.connectionString, second.http.url);
      expect((await admin.getRule("events", "vip", "vip-only")).filter).toMatchObject({ sqlExpression: "tier = 'vip'" });
      expect((await admin.getQueueRuntimeProperties("gone")).totalMessageCount).toBe(0);
      const vip = await client.createReceiver("events", "vip", { receiveMode: "receiveAndDelete" }).receiveMessages(5, { maxWaitTimeInMs: 1_000 });
      expect(vip.map((m) => m.messageId)).toEqual(["vip"]);
      const all = await client.createReceiver("events", "all", { receiveMode: "receiveAndDelete" }).receiveMessages(5, { maxWaitTimeInMs: 1_000 });
      expect(all.map((m) => m.messageId)).toEqual(["plain", "vip"]);
      await client.close();
    } finally {
      await second.close();
    }

    // The deferred message was completed: it stays gone after another restart. A queue added to the config file
    // since appears next to what the data directory holds.
    const withNewQueue = serviceBusConfig([{ Name: "orders" }, { Name: "added-later" }], [{ Name: "events", Subscriptions: [{ Name: "all" }] }]);
    const third = await startEmulator({ servicebusConfig: withNewQueue, servicebusPort: 0, httpPort: 0, kafkaPort: 0, dataDir });
    try {
      const client = serviceBusClient(third);
      await expect(client.createReceiver("orders").receiveDeferredMessages(deferredSeq!)).rejects.toThrow();
      expect([...third.serviceBus.namespace.queues.values()].map((q) => q.name).sort()).toEqual(["added-later", "gone", "orders", "sessions"]);
      expect(third.serviceBus.namespace.topics.get("events")!.subscription("vip")).toBeDefined();
      await client.close();
    } finally {
      await third.close();
    }
  }, 40_000);
});
