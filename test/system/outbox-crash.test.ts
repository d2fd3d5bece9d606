/**
 * The outbox crash test. A child process handles PlacePurchase for a few purchases with the real runner and Table
 * store and is killed (SIGKILL): once after the commits and before any publish, once after publishing to Service
 * Bus but before marking the records sent. A sweeper in this (another) process then delivers what was left: each
 * subscriber receives each message exactly once (in the second case the sweeper publishes again and Service Bus
 * duplicate detection drops the copies).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { ServiceBusReceivedMessage } from "@azure/service-bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { topology } from "../../src/config.js";
import { OutboxRelay } from "../../src/outbox/outbox-relay.js";
import { OutboxSweeper } from "../../src/outbox/outbox-sweeper.js";
import { type OutboxTestEnv, startOutboxTestEnv } from "./outbox-test-env.js";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
let env: OutboxTestEnv;
beforeAll(async () => {
  env = await startOutboxTestEnv();
});
afterAll(async () => {
  await env?.close();
});

/** Runs the child until it has reached the crash point for every purchase, then kills it. */
async function crashAfter(mode: "before-publish" | "before-mark-sent", purchases: string[]): Promise<void> {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "test/fixtures/eventstore/outbox-crash-child.ts"], {
    cwd: repoRoot,
    env: { ...process.env, STORAGE: env.azurite.connectionString, SERVICE_BUS: env.emulator.serviceBus.connectionString, MODE: mode, PURCHASES: purchases.join(",") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const reached = new Set<string>();
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      reached.add(line);
      if (reached.size === purchases.length) resolve();
    });
    void exited.then((code) => reject(new Error(`the child exited (${code}) before the crash point:\n${stderr}`)));
  });
  child.kill("SIGKILL");
  await exited;
}

/** Drains a subscription's messages of these purchases (completing each), then checks nothing else is left. */
async function drain(subscription: string, purchases: string[], expected: number): Promise<ServiceBusReceivedMessage[]> {
  const topic = subscription === topology.subscriptions.payments ? topology.topics.commands : topology.topics.events;
  const mine = (m: ServiceBusReceivedMessage) => purchases.includes(String(m.applicationProperties?.purchaseId));
  const got: ServiceBusReceivedMessage[] = [];
  if (subscription === topology.subscriptions.purchaseProcess) {
    for (const purchaseId of purchases) {
      const session = await env.serviceBusClient.acceptSession(topic, subscription, purchaseId);
      // One message per purchase is expected; any copy would still be there for the peek below.
      for (const m of await session.receiveMessages(1, { maxWaitTimeInMs: 5_000 })) {
        got.push(m);
        await session.completeMessage(m);
      }
      expect(await session.peekMessages(10)).toEqual([]);
      await session.close();
    }
    return got;
  }
  const receiver = env.serviceBusClient.createReceiver(topic, subscription);
  while (got.length < expected) {
    const batch = await receiver.receiveMessages(expected - got.length, { maxWaitTimeInMs: 5_000 });
    if (batch.length === 0) break;
    for (const m of batch) {
      if (mine(m)) got.push(m);
      await receiver.completeMessage(m);
    }
  }
  expect((await receiver.peekMessages(100)).filter(mine)).toEqual([]);
  await receiver.close();
  return got;
}

describe("outbox after a crash", () => {
  it("delivers each message exactly once after the process died before publishing, or after publishing but before marking sent", async () => {
    // Two processes die at once, one at each point, with purchases of their own.
    const unpublished = [randomUUID(), randomUUID(), randomUUID()];
    const unmarked = [randomUUID(), randomUUID(), randomUUID()];
    const purchases = [...unpublished, ...unmarked];
    const streams = purchases.map((p) => `purchase-${p}`);
    await Promise.all([crashAfter("before-publish", unpublished), crashAfter("before-mark-sent", unmarked)]);

    const left = (await env.store.pendingOutbox()).filter((r) => streams.includes(r.streamId));
    expect(left).toHaveLength(purchases.length * 2); // PurchasePlaced + CapturePayment each, committed, not marked sent
    for (const stream of streams) expect((await env.store.readStream(stream)).version).toBe(1);

    const relay = new OutboxRelay({ store: env.store, serviceBus: env.bus });
    // Records younger than the grace period are left alone: a live relay may be delivering them right now.
    expect(await new OutboxSweeper({ store: env.store, relay, gracePeriodMs: 60_000 }).sweep()).toEqual({ found: 0, sent: 0, failed: 0 });

    const sweeper = new OutboxSweeper({ store: env.store, relay, gracePeriodMs: 5_000, now: () => new Date(Date.now() + 10_000) });
    const report = await sweeper.sweep();
    expect(report).toMatchObject({ sent: report.found, failed: 0 });
    expect(report.found).toBeGreaterThanOrEqual(purchases.length * 2);
    expect((await env.store.pendingOutbox()).filter((r) => streams.includes(r.streamId))).toEqual([]);
    expect((await sweeper.sweep()).found).toBe(0);

    // Each subscriber got each message once: the unmarked ones were published twice, and the copies were dropped.
    const placed = await drain(topology.subscriptions.purchaseProcess, purchases, purchases.length);
    expect(placed.map((m) => m.messageId).sort()).toEqual(streams.map((s) => `${s}:1`).sort());
    const commands = await drain(topology.subscriptions.payments, purchases, purchases.length);
    expect(commands.map((m) => m.messageId).sort()).toEqual(purchases.map((p) => `place-${p}:CapturePayment`).sort());
  });
});
