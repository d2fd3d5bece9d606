/**
 * The explorer endpoints on the HTTP port (peek, purge, resubmit, reset, entity counts) with real HTTP requests,
 * and the `npm run sb` CLI run as a child process against the running emulator.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ServiceBusClient } from "@azure/service-bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../../../emulator/index.js";
import { serviceBusClient, serviceBusConfig, startServiceBusEmulator } from "../../helpers/servicebus.js";
import { emulatorAuthorizationHeader } from "../../../emulator/servicebus/sas-token.js";

let emulator: Emulator;
let client: ServiceBusClient;
let base: string;

beforeAll(async () => {
  emulator = await startServiceBusEmulator(
    serviceBusConfig(
      [{ Name: "inbox" }, { Name: "dead" }, { Name: "wipe" }, { Name: "cli" }, { Name: "cli-again" }, { Name: "cli-wipe" }],
      [{ Name: "news", Subscriptions: [{ Name: "reader" }] }],
    ),
  );
  client = serviceBusClient(emulator);
  base = `${emulator.http.url}/emulator/servicebus`;
});

afterAll(async () => {
  await client?.close();
  await emulator?.close();
});

async function get(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, body: await res.json() };
}

async function post(path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const headers = { "content-type": "application/json", ...emulatorAuthorizationHeader(base) };
  const res = await fetch(`${base}${path}`, { method: "POST", headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

/** Dead-letters every message of `queue` (receive + deadLetterMessage) and returns their sequence numbers. */
async function deadLetterAll(queue: string, count: number): Promise<number[]> {
  const receiver = client.createReceiver(queue);
  const seqs: number[] = [];
  while (seqs.length < count) {
    for (const m of await receiver.receiveMessages(count - seqs.length, { maxWaitTimeInMs: 2000 })) {
      await receiver.deadLetterMessage(m, { deadLetterReason: "bad-order", deadLetterErrorDescription: "no stock" });
      seqs.push(Number(m.sequenceNumber));
    }
  }
  await receiver.close();
  return seqs;
}

describe("Service Bus explorer endpoints", () => {
  it("peeks active, deferred and scheduled messages with their bodies decoded and their properties", async () => {
    const sender = client.createSender("inbox");
    await sender.sendMessages([
      { body: { order: 1 }, messageId: "m-1", subject: "created", applicationProperties: { region: "eu", qty: 3 } },
      { body: "plain text", contentType: "text/plain" },
      { body: Buffer.from([0xff, 0xfe, 0x00]) },
      { body: "to defer" },
    ]);
    await sender.scheduleMessages({ body: "later" }, new Date(Date.now() + 3_600_000));
    const receiver = client.createReceiver("inbox");
    const received = await receiver.receiveMessages(4, { maxWaitTimeInMs: 2000 });
    const toDefer = received.find((m) => m.body === "to defer")!;
    await receiver.deferMessage(toDefer);
    for (const m of received) if (m !== toDefer) await receiver.abandonMessage(m);

    const all = await get("/entities/inbox/messages");
    expect(all.status).toBe(200);
    const [first, second, third] = all.body.messages;
    expect(first).toMatchObject({ messageId: "m-1", subject: "created", bodyType: "json", body: { order: 1 }, applicationProperties: { region: "eu", qty: 3 }, state: "active" });
    expect(second).toMatchObject({ bodyType: "json", body: "plain text", contentType: "text/plain" });
    expect(third).toMatchObject({ bodyType: "binary", body: Buffer.from([0xff, 0xfe, 0x00]).toString("base64") });
    expect((await get("/entities/inbox/messages?state=deferred")).body.messages.map((m: any) => m.body)).toEqual(["to defer"]);
    expect((await get("/entities/inbox/messages?state=scheduled")).body.messages.map((m: any) => m.body)).toEqual(["later"]);
    const counts = (await get("/entities/inbox")).body.counts;
    expect(counts).toMatchObject({ active: 4, scheduled: 1, deadLetter: 0 });
    await receiver.close();
    await sender.close();
  });

  it("lists every entity with counts", async () => {
    await client.createSender("news").sendMessages({ body: "n" });
    const { body } = await get("/entities");
    expect(body.queues.map((q: any) => q.name)).toEqual(["inbox", "dead", "wipe", "cli", "cli-again", "cli-wipe"]);
    expect(body.topics[0].subscriptions[0]).toMatchObject({ name: "reader", path: "news/Subscriptions/reader", counts: { active: 1 } });
  });

  it("peeks dead letters with their reason, resubmits chosen ones to the queue, and they can be received again", async () => {
    await client.createSender("dead").sendMessages([{ body: "x" }, { body: "y" }, { body: "z" }]);
    const seqs = await deadLetterAll("dead", 3);
    const dlq = await get("/entities/dead/deadletters");
    expect(dlq.body.messages).toHaveLength(3);
    expect(dlq.body.messages[0]).toMatchObject({ deadLetterReason: "bad-order", deadLetterErrorDescription: "no stock" });
    // The SDK's own DLQ path works as well.
    expect((await get("/entities/dead/$DeadLetterQueue/messages")).body.messages).toHaveLength(3);

    const chosen = [seqs[0], seqs[2]];
    const result = await post("/entities/dead/resubmit", { sequenceNumbers: [...chosen, 999_999] });
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ entity: "dead", resubmitted: chosen, notFound: [999_999] });
    expect((await get("/entities/dead")).body.counts).toMatchObject({ active: 2, deadLetter: 1 });

    const receiver = client.createReceiver("dead");
    const again = await receiver.receiveMessages(2, { maxWaitTimeInMs: 2000 });
    expect(again.map((m) => m.body).sort()).toEqual(["x", "z"]);
    expect(again[0].applicationProperties?.DeadLetterReason).toBeUndefined();
    expect(again[0].deliveryCount).toBe(0);
    for (const m of again) await receiver.completeMessage(m);
    await receiver.close();

    expect((await post("/entities/dead/resubmit")).body.resubmitted).toEqual([seqs[1]]);
    expect((await get("/entities/dead")).body.counts).toMatchObject({ active: 1, deadLetter: 0 });
  });

  it("resubmits a subscription's dead letters through its topic, whose rules route them back", async () => {
    await post("/entities/news/Subscriptions/reader/purge");
    await client.createSender("news").sendMessages({ body: "story" });
    const receiver = client.createReceiver("news", "reader");
    const [m] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    await receiver.deadLetterMessage(m, { deadLetterReason: "late", deadLetterErrorDescription: "too late" });
    const dlq = (await get("/entities/news/Subscriptions/reader/deadletters")).body.messages;
    expect(dlq.map((x: any) => x.body)).toEqual(["story"]);
    expect((await post("/entities/news/Subscriptions/reader/resubmit", { sequenceNumbers: [dlq[0].sequenceNumber] })).body.resubmitted).toEqual([dlq[0].sequenceNumber]);
    const [again] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(again.body).toBe("story");
    await receiver.completeMessage(again);
    expect((await get("/entities/news/Subscriptions/reader")).body.counts).toMatchObject({ active: 0, deadLetter: 0 });
    await receiver.close();
  });

  it("purges a queue (locked messages too) and, separately, its dead-letter queue", async () => {
    await client.createSender("wipe").sendMessages([{ body: 1 }, { body: 2 }, { body: 3 }, { body: 4 }]);
    await deadLetterAll("wipe", 1);
    const receiver = client.createReceiver("wipe");
    const [locked] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    const purged = await post("/entities/wipe/purge");
    expect(purged.body).toEqual({ entity: "wipe", subQueue: "main", purged: 3 });
    await expect(receiver.completeMessage(locked)).rejects.toMatchObject({ code: "MessageLockLost" });
    expect((await get("/entities/wipe")).body.counts).toMatchObject({ active: 0, deadLetter: 1 });
    expect((await post("/entities/wipe/deadletters/purge")).body.purged).toBe(1);
    expect((await get("/entities/wipe")).body.counts).toMatchObject({ active: 0, deadLetter: 0, total: 0 });
    await receiver.close();
  });

  it("answers bad input with a 4xx and a JSON error, never a 500", async () => {
    expect(await get("/entities/nowhere/messages")).toMatchObject({ status: 404, body: { error: { code: "EntityNotFound" } } });
    expect(await get("/entities/inbox/messages?state=gone")).toMatchObject({ status: 400, body: { error: { code: "BadRequest" } } });
    expect(await get("/entities/inbox/messages?max=-1")).toMatchObject({ status: 400 });
    expect(await post("/entities/inbox/resubmit", { sequenceNumbers: ["one"] })).toMatchObject({ status: 400 });
    expect(await post("/entities/news/resubmit", {})).toMatchObject({ status: 400 });
    expect(await post("/entities/inbox/explode")).toMatchObject({ status: 404 });
    const signed = emulatorAuthorizationHeader(base);
    const notJson = await fetch(`${base}/entities/inbox/resubmit`, { method: "POST", headers: signed, body: "{nope" });
    expect(notJson.status).toBe(400);
  });

  it("runs peek, purge and resubmit from the npm run sb CLI", async () => {
    await client.createSender("cli").sendMessages({ body: "one" });
    await client.createSender("cli-again").sendMessages({ body: "two" });
    await client.createSender("cli-wipe").sendMessages([{ body: 1 }, { body: 2 }]);
    const [deadSeq] = await deadLetterAll("cli", 1);
    const [againSeq] = await deadLetterAll("cli-again", 1);
    const url = emulator.http.url;
    // Independent calls run side by side: each child process pays tsx's start-up.
    const [dead, resubmitted, purged, missing, wrongKey] = await Promise.all([
      sb(["peek", "cli", "--dlq", "--url", url]).then(JSON.parse),
      sb(["resubmit", "cli-again", "--url", url]).then(JSON.parse),
      sb(["purge", "cli-wipe", "--url", url]).then(JSON.parse),
      sb(["peek", "missing-queue", "--url", url]).catch((e: Error) => e),
      sb(["purge", "cli-wipe", "--url", url, "--key", "not-the-key"]).catch((e: Error) => e),
    ]);
    expect(dead.messages).toMatchObject([{ sequenceNumber: deadSeq, deadLetterReason: "bad-order", body: "one" }]);
    expect(resubmitted).toEqual({ entity: "cli-again", resubmitted: [againSeq], notFound: [] });
    expect((await get("/entities/cli-again")).body.counts).toMatchObject({ active: 1, deadLetter: 0 });
    expect(purged).toEqual({ entity: "cli-wipe", subQueue: "main", purged: 2 });
    expect(String(missing)).toMatch(/404: No queue, topic or subscription at 'missing-queue'/);
    // The CLI signs with the key it is given; a wrong one is refused with the emulator's explanation.
    expect(String(wrongKey)).toMatch(/401: InvalidSignature.*Authorization: SharedAccessSignature/);
  });

  it("resets the namespace to its config: entities made at run time go, configured ones come back empty", async () => {
    const admin = emulator.serviceBus.namespace;
    admin.addQueue("made-at-runtime", admin.queues.get("inbox")!.options);
    const reset = await post("/reset");
    expect(reset.body).toEqual({ namespace: "sbemulatorns", queues: 6, topics: 1 });
    expect(emulator.serviceBus.namespace.resolve("made-at-runtime")).toBeUndefined();
    expect((await get("/entities/inbox")).body.counts.total).toBe(0);
    // The new entities take messages from clients as before.
    await client.createSender("inbox").sendMessages({ body: "after reset" });
    expect((await get("/entities/inbox/messages")).body.messages.map((m: any) => m.body)).toEqual(["after reset"]);
  });
});

const repo = fileURLToPath(new URL("../../../", import.meta.url));

/** Runs `npm run sb -- ARGS` as npm does (tsx on scripts/sb.ts); rejects with its stderr on a non-zero exit. */
function sb(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ["--import", "tsx", "scripts/sb.ts", ...args], { cwd: repo, timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(stderr || err.message));
      else resolve(stdout);
    });
  });
}
