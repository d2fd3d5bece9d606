/**
 * `POST /emulator/clock/advance` as a test in another process uses it: absurd values are refused with 400
 * problem+json, a day, a year and a century each answer within a second with every service running (the Kafka
 * endpoint's retention sweep included), and the Service Bus SDK's long-lived links (a receiver, the $management
 * link, the CBS link) keep working after a century.
 */
import type { ServiceBusClient, ServiceBusReceiver, ServiceBusSender } from "@azure/service-bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../../emulator/index.js";
import { serviceBusClient, serviceBusConfig, startServiceBusEmulator } from "../helpers/servicebus.js";
import { emulatorAuthorizationHeader } from "../../emulator/servicebus/sas-token.js";

const DAY = 86_400_000;
const YEAR = 365 * DAY;

let emulator: Emulator;
let client: ServiceBusClient;
let sender: ServiceBusSender;
let receiver: ServiceBusReceiver;

beforeAll(async () => {
  emulator = await startServiceBusEmulator(
    serviceBusConfig([{ Name: "orders" }, { Name: "expiring", Properties: { DefaultMessageTimeToLive: "PT1M" } }]),
  );
  client = serviceBusClient(emulator);
  sender = client.createSender("orders");
  receiver = client.createReceiver("orders");
  // The links are open before the clock moves: they must survive it.
  await sender.sendMessages({ body: "warm-up" });
  const [first] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
  await receiver.completeMessage(first);
  await receiver.peekMessages(1);
});

afterAll(async () => {
  await client?.close();
  await emulator?.close();
});

async function advance(body: unknown): Promise<{ status: number; type: string | null; body: Record<string, unknown> }> {
  const res = await fetch(`${emulator.http.url}/emulator/clock/advance`, {
    method: "POST",
    headers: { "content-type": "application/json", ...emulatorAuthorizationHeader(emulator.http.url) },
    body: typeof body === "string" ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const json = (await res.json()) as Record<string, unknown>;
  return { status: res.status, type: res.headers.get("content-type"), body: json };
}

describe("refusing absurd advances", () => {
  it.each([
    ["1e308 ms", { ms: 1e308 }],
    ["more than a century", { ms: 36_526 * DAY }],
    ["a negative number", { ms: -1 }],
    ["a string", { ms: "1000" }],
    ["extra fields", { ms: 1, years: 3 }],
    ["text that is not JSON", "soon"],
  ])("answers 400 problem+json for %s, and leaves the clock where it was", async (_name, body) => {
    const before = emulator.clock.offset;
    const res = await advance(body);
    expect(res.status).toBe(400);
    expect(res.type).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 400, title: expect.any(String), detail: expect.any(String) });
    expect(emulator.clock.offset).toBe(before);
  });
});

describe("moving the clock far ahead", () => {
  it.each([
    ["a day", DAY],
    ["a year", YEAR],
    ["a century", 100 * YEAR],
  ])("answers within a second for %s, and the SDK's receiver, $management and CBS links still work", async (_n, ms) => {
    const started = performance.now();
    const res = await advance({ ms });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(res.status).toBe(200);

    // The receiver opened before the advance still receives and settles (its link and its CBS claim are alive).
    await sender.sendMessages({ body: `after ${ms}` });
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    expect(message?.body).toBe(`after ${ms}`);
    expect(message.enqueuedTimeUtc!.getTime()).toBeGreaterThanOrEqual(emulator.clock.now() - 60_000);
    // Lock renewal and peeking go over the $management link.
    const lockedUntil = await receiver.renewMessageLock(message);
    expect(lockedUntil.getTime()).toBeGreaterThan(emulator.clock.now());
    await receiver.completeMessage(message);
    expect(await receiver.peekMessages(5)).toEqual([]);
    // A new link needs a new put-token on the CBS link.
    const other = client.createReceiver("expiring");
    expect(await other.peekMessages(1)).toEqual([]);
    await other.close();
  }, 30_000);

  it("refuses an advance that would take the clock past the year 9999", async () => {
    const latest = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
    while (latest - emulator.clock.now() > 36_500 * DAY) emulator.clock.advance(36_500 * DAY);
    emulator.clock.advance(latest - emulator.clock.now() - 10 * DAY);
    const past = await advance({ ms: 20 * DAY });
    expect(past.status).toBe(400);
    expect(String(past.body.detail)).toContain("9999-12-31");
  });
});
