/**
 * Retries on Azure's schedule with the clock moved forward instead of waiting: recovery after failures, statuses that
 * are not retried, minimum waits, maxDeliveryAttempts, eventTimeToLiveInMinutes, attempt timeouts, dead-lettering to
 * a folder when the storage account has no connection string, and a dead endpoint that delays only its subscription.
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { AzureKeyCredential, EventGridPublisherClient } from "@azure/eventgrid";
import { afterEach, describe, expect, it } from "vitest";
import { startTestEventGrid, startWebhook, type TestEventGrid, type TestWebhook, webhookSubscription } from "./helpers.js";

let eg: TestEventGrid | undefined;
let hooks: TestWebhook[] = [];
let tmp: string | undefined;

afterEach(async () => {
  await eg?.close();
  await Promise.all(hooks.map((h) => h.close()));
  if (tmp) await rm(tmp, { recursive: true, force: true });
  eg = tmp = undefined;
  hooks = [];
});

const DEAD_LETTER = {
  endpointType: "StorageBlob",
  properties: { resourceId: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/localfolder", blobContainerName: "deadletters" },
};

async function setUp(subscriptionProps: Record<string, unknown> = {}, extraHooks = 0) {
  const hook = await startWebhook();
  const others = await Promise.all(Array.from({ length: extraHooks }, () => startWebhook()));
  hooks = [hook, ...others];
  tmp = await mkdtemp(path.join(os.tmpdir(), "eg-retry-"));
  eg = await startTestEventGrid(
    {
      topics: [
        {
          name: "payments",
          eventSubscriptions: [webhookSubscription("pay-hook", hook.url, subscriptionProps), ...others.map((h, i) => webhookSubscription(`other-${i}`, h.url))],
        },
      ],
    },
    { deadLetterDir: tmp },
  );
  const client = new EventGridPublisherClient(eg.endpoint("payments"), "EventGrid", new AzureKeyCredential(eg.key("payments")), { allowInsecureConnection: true });
  const publish = (id: string) => client.send([{ id, eventType: "Payment.Captured", subject: `payments/${id}`, dataVersion: "2", data: { id } }]);
  const state = () => eg!.eventGrid.subscriptionState("payments", "pay-hook")!;
  return { eg, hook, others, publish, state, deadLetterDir: tmp };
}

async function readDeadLetters(dir: string): Promise<{ file: string; records: any[] }[]> {
  const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith(".json"));
  return Promise.all(files.map(async (f) => ({ file: f.split(path.sep).join("/"), records: JSON.parse(await readFile(path.join(dir, f), "utf8")) })));
}

describe("retry schedule", () => {
  it("retries after 10 s and 30 s and delivers on the third attempt, counting attempts in aeg-delivery-count", async () => {
    const { eg, hook, publish, state } = await setUp();
    let calls = 0;
    hook.respondWith(() => (++calls <= 2 ? { status: 500 } : undefined));
    await publish("p1");
    await eg.eventGrid.whenQuiet();
    const first = state().retrying[0];
    expect(first).toMatchObject({ eventIds: ["p1"], deliveryAttempts: 1, lastDeliveryOutcome: "GenericError", lastHttpStatusCode: 500 });
    const firstAttemptAt = eg.clock.now();

    eg.clock.advance(9_000);
    await eg.eventGrid.whenQuiet();
    expect(hook.notifications()).toHaveLength(1);

    eg.clock.advance(1_000);
    await eg.eventGrid.whenQuiet();
    expect(hook.notifications()).toHaveLength(2);
    expect(Date.parse(state().retrying[0].nextAttemptTime!) - firstAttemptAt).toBeGreaterThanOrEqual(40_000 - 50);

    eg.clock.advance(30_000);
    await eg.eventGrid.whenIdle();
    expect(hook.notifications().map((r) => r.headers["aeg-delivery-count"])).toEqual(["0", "1", "2"]);
    expect(state().counts).toMatchObject({ delivered: 1, retrying: 0, deadLettered: 0, dropped: 0 });
  });

  it("waits at least 30 s after a 503", async () => {
    const { eg, hook, publish, state } = await setUp();
    hook.respondWith(() => ({ status: 503 }));
    await publish("busy");
    await eg.eventGrid.whenQuiet();
    expect(state().retrying[0].lastDeliveryOutcome).toBe("Busy");
    eg.clock.advance(10_000);
    await eg.eventGrid.whenQuiet();
    expect(hook.notifications()).toHaveLength(1);
    eg.clock.advance(20_000);
    await eg.eventGrid.whenQuiet();
    expect(hook.notifications()).toHaveLength(2);
  });

  it.each([400, 401, 403, 413])("does not retry a webhook's %i: the event is dropped without a dead-letter destination", async (status) => {
    const { eg, hook, publish, state } = await setUp();
    hook.respondWith(() => ({ status }));
    await publish(`s${status}`);
    await eg.eventGrid.whenIdle();
    expect(hook.notifications()).toHaveLength(1);
    expect(state().counts).toMatchObject({ delivered: 0, retrying: 0, dropped: 1 });
    expect(state().dropped[0]).toMatchObject({ eventId: `s${status}`, deliveryAttempts: 1, lastHttpStatusCode: status });
  });

  it("times an attempt out after 30 s on the clock and retries it", async () => {
    const { eg, hook, publish, state } = await setUp();
    let calls = 0;
    hook.respondWith(() => (++calls === 1 ? { hang: true } : undefined));
    await publish("slow");
    await hook.waitForNotifications(1);
    eg.clock.advance(30_000);
    await eg.eventGrid.whenQuiet();
    expect(state().retrying[0]).toMatchObject({ deliveryAttempts: 1, lastDeliveryOutcome: "TimedOut" });
    eg.clock.advance(10_000);
    await eg.eventGrid.whenIdle();
    expect(state().counts.delivered).toBe(1);
  });
});

describe("retry policy and dead-lettering", () => {
  it("dead-letters after maxDeliveryAttempts with Azure's record and blob name", async () => {
    const { eg, hook, publish, state, deadLetterDir } = await setUp({ retryPolicy: { maxDeliveryAttempts: 2 }, deadLetterDestination: DEAD_LETTER });
    hook.respondWith(() => ({ status: 503 }));
    await publish("dl-1");
    await eg.eventGrid.whenQuiet();
    eg.clock.advance(30_000);
    await eg.eventGrid.whenIdle();

    expect(state().counts).toMatchObject({ deadLettered: 1, retrying: 0 });
    const [blob] = await readDeadLetters(deadLetterDir);
    const at = new Date(eg.clock.now());
    expect(blob.file).toMatch(
      new RegExp(`^localfolder/deadletters/PAY-HOOK/${at.getUTCFullYear()}/${at.getUTCMonth() + 1}/${at.getUTCDate()}/${at.getUTCHours()}/[0-9a-f-]{36}\\.json$`),
    );
    expect(blob.records).toHaveLength(1);
    expect(blob.records[0]).toMatchObject({
      id: "dl-1",
      eventType: "Payment.Captured",
      subject: "payments/dl-1",
      dataVersion: "2",
      metadataVersion: "1",
      deadLetterReason: "MaxDeliveryAttemptsExceeded",
      deliveryAttempts: 2,
      lastDeliveryOutcome: "Busy",
      lastHttpStatusCode: 503,
      data: { id: "dl-1" },
    });
    expect(Date.parse(blob.records[0].publishTime)).toBeLessThanOrEqual(Date.parse(blob.records[0].lastDeliveryAttemptTime));
  });

  it("dead-letters a non-retried 400 at once", async () => {
    const { eg, hook, publish, deadLetterDir } = await setUp({ deadLetterDestination: DEAD_LETTER });
    hook.respondWith(() => ({ status: 400 }));
    await publish("bad");
    await eg.eventGrid.whenIdle();
    const [blob] = await readDeadLetters(deadLetterDir);
    expect(blob.records[0]).toMatchObject({ id: "bad", deliveryAttempts: 1, lastDeliveryOutcome: "BadRequest", lastHttpStatusCode: 400 });
  });

  it("dead-letters with TimeToLiveExceeded when the TTL has passed at the next scheduled attempt", async () => {
    const { eg, hook, publish, deadLetterDir } = await setUp({ retryPolicy: { eventTimeToLiveInMinutes: 1 }, deadLetterDestination: DEAD_LETTER });
    hook.respondWith(() => ({ status: 500 }));
    await publish("ttl");
    for (const step of [10_000, 30_000]) {
      await eg.eventGrid.whenQuiet();
      eg.clock.advance(step);
    }
    await eg.eventGrid.whenQuiet();
    expect(hook.notifications()).toHaveLength(3);
    eg.clock.advance(60_000);
    await eg.eventGrid.whenIdle();
    expect(hook.notifications()).toHaveLength(3);
    const [blob] = await readDeadLetters(deadLetterDir);
    expect(blob.records[0]).toMatchObject({ id: "ttl", deadLetterReason: "TimeToLiveExceeded", deliveryAttempts: 3, lastHttpStatusCode: 500 });
  });

  it("lists retrying and dead-lettered events on the HTTP port", async () => {
    const { eg, hook, publish } = await setUp({ retryPolicy: { maxDeliveryAttempts: 1 }, deadLetterDestination: DEAD_LETTER });
    hook.respondWith(() => ({ status: 500 }));
    await publish("listed");
    await eg.eventGrid.whenIdle();
    const res = await fetch(`${eg.baseUrl}/eventgrid/topics/payments/eventSubscriptions/pay-hook`);
    const body = (await res.json()) as any;
    expect(body.counts).toMatchObject({ matched: 1, delivered: 0, deadLettered: 1 });
    expect(body.deadLettered[0]).toMatchObject({ eventId: "listed", reason: "MaxDeliveryAttemptsExceeded", written: true });
    const topics = (await (await fetch(`${eg.baseUrl}/eventgrid/topics`)).json()) as any;
    expect(topics.value[0]).toMatchObject({ name: "payments", endpoint: eg.endpoint("payments"), eventSubscriptions: ["pay-hook"] });
  });
});

describe("isolation", () => {
  it("keeps publishing and delivering to other subscriptions while one endpoint hangs", async () => {
    const { eg, hook, others, publish, state } = await setUp({}, 1);
    hook.respondWith(() => ({ hang: true }));
    for (let i = 0; i < 20; i++) await publish(`iso-${i}`);
    await eg.eventGrid.whenIdle("payments", "other-0");
    expect(others[0].notifications()).toHaveLength(20);
    expect(state().counts.inFlight).toBeGreaterThan(0);
    expect(eg.eventGrid.subscriptionState("payments", "other-0")!.counts.delivered).toBe(20);
  });
});
