/**
 * Push notifications through Event Grid (topic musicfest-events, CloudEvents): the `purchase-notifications`
 * subscription pushes every purchase outcome to the notify-fan function; `fan-webhook` pushes only VIP ones
 * (advanced filter StringIn data.tier ["vip"]) to a fan-facing webhook, after the CloudEvents validation handshake.
 * By default that webhook is the app's simulated one; the second test points it at a receiver of its own, as an
 * `az eventgrid event-subscription update --endpoint` would.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fan, TicketingClient } from "./purchase-client.js";
import { type SystemUnderTest, startSystemUnderTest, until } from "./system-under-test.js";
import { emulatorAuthorizationHeader } from "../../emulator/servicebus/sas-token.js";

const TOPIC = "musicfest-events";
const WEBHOOK_SUBSCRIPTION = "fan-webhook";

let sut: SystemUnderTest;
let api: TicketingClient;
let concertId: string;

beforeAll(async () => {
  sut = await startSystemUnderTest();
  api = new TicketingClient(sut);
  concertId = (await api.scheduleConcert({ capacity: { standard: 50, vip: 10 } })).concertId;
}, 60_000);
afterAll(() => sut?.close());

const eventGrid = () => sut.system.emulator.eventGrid;

/** A VIP and a standard purchase, both completed and both pushed to notify-fan. */
async function buyVipAndStandard() {
  const vipFan = fan();
  const standardFan = fan();
  const [vip, standard] = await Promise.all([
    api.placePurchase({ concertId, fan: vipFan, tier: "vip", quantity: 1 }),
    api.placePurchase({ concertId, fan: standardFan, tier: "standard", quantity: 2 }),
  ]);
  const ids = { vip: vip.body.purchaseId as string, standard: standard.body.purchaseId as string };
  await Promise.all([api.outcome(ids.vip), api.outcome(ids.standard)]);
  // The Event Grid-triggered function got both.
  await until(() => Promise.all([api.notifications(ids.vip), api.notifications(ids.standard)]), ([a, b]) => a.length > 0 && b.length > 0);
  await eventGrid().whenIdle(TOPIC, WEBHOOK_SUBSCRIPTION);
  return { ids, vipFan, standardFan };
}

describe("Event Grid push with an advanced filter", () => {
  it("the app's simulated fan webhook gets the VIP purchase only, notify-fan gets both", async () => {
    expect(eventGrid().subscriptionState(TOPIC, WEBHOOK_SUBSCRIPTION)?.destination).toBe(`WebHook ${sut.url}/api/simulated/fan-webhook`);
    // The emulator starts before the host, so its first handshake may have found nobody listening: the subscription
    // then stays Creating and the emulator validates again 10 s later.
    await eventGrid().whenQuiet(TOPIC, WEBHOOK_SUBSCRIPTION);
    const state = eventGrid().subscriptionState(TOPIC, WEBHOOK_SUBSCRIPTION)?.provisioningState;
    if (state === "Creating") await sut.advanceClock(10_000);
    await until(async () => eventGrid().subscriptionState(TOPIC, WEBHOOK_SUBSCRIPTION)?.provisioningState, (s) => s === "Succeeded");
    const { ids, vipFan, standardFan } = await buyVipAndStandard();

    const vipPushes = (await api.request("GET", `/api/simulated/fan-webhook?fanId=${vipFan.id}`)).body.pushes;
    expect(vipPushes).toEqual([expect.objectContaining({ fanId: vipFan.id, type: "MusicFest.Purchases.PurchaseCompleted.v1", purchaseId: ids.vip, tier: "vip", concertId })]);
    expect((await api.request("GET", `/api/simulated/fan-webhook?fanId=${standardFan.id}`)).body.pushes).toEqual([]);
    expect(eventGrid().subscriptionState(TOPIC, WEBHOOK_SUBSCRIPTION)).toMatchObject({ provisioningState: "Succeeded", counts: { matched: 1, delivered: 1 } });
    expect(sut.invocations.filter((r) => r.functionName === "simulated-fan-webhook" && r.outcome === "failed")).toEqual([]);
  }, 60_000);

  it("answers the CloudEvents validation handshake and refuses what is not CloudEvents", async () => {
    const options = await fetch(`${sut.url}/api/simulated/fan-webhook`, { method: "OPTIONS", headers: { "WebHook-Request-Origin": "eventgrid.azure.net" } });
    expect(options.status).toBe(200);
    expect(options.headers.get("webhook-allowed-origin")).toBe("eventgrid.azure.net");
    expect((await fetch(`${sut.url}/api/simulated/fan-webhook`, { method: "OPTIONS" })).status).toBe(400);
    const garbage = await fetch(`${sut.url}/api/simulated/fan-webhook`, { method: "POST", headers: { "content-type": "application/cloudevents+json" }, body: JSON.stringify({ hello: 1 }) });
    expect(garbage.status).toBe(400);
  });

  it("a receiver of the test's own, once the subscription points at it, gets the VIP PurchaseCompleted as a CloudEvent and nothing else", async () => {
    const receiver = await startReceiver();
    try {
      const res = await fetch(`${sut.system.emulator.http.url}/eventgrid/topics/${TOPIC}/eventSubscriptions/${WEBHOOK_SUBSCRIPTION}`, {
        method: "PATCH",
        headers: { "content-type": "application/json", ...emulatorAuthorizationHeader(sut.system.emulator.http.url) },
        body: JSON.stringify({ properties: { destination: { endpointType: "WebHook", properties: { endpointUrl: receiver.url } } } }),
      });
      expect(res.status).toBe(200);
      const { ids } = await buyVipAndStandard();

      // The handshake came first, from Event Grid's origin; then exactly one push.
      expect(receiver.requests[0]).toMatchObject({ method: "OPTIONS", origin: "eventgrid.azure.net" });
      const pushes = receiver.requests.filter((r) => r.method === "POST");
      expect(pushes).toHaveLength(1);
      expect(pushes[0].contentType).toMatch(/^application\/cloudevents\+json/);
      expect(pushes[0].body).toMatchObject({ specversion: "1.0", type: "MusicFest.Purchases.PurchaseCompleted.v1", data: { purchaseId: ids.vip, tier: "vip" } });
      expect(pushes[0].body.correlationid).toEqual(expect.any(String));
    } finally {
      await receiver.close();
    }
  }, 60_000);
});

interface Received {
  method: string;
  origin?: string;
  contentType?: string;
  body?: any;
}

/** A fan-facing webhook as a partner would write it: grant Event Grid's origin, take CloudEvents, answer 200. */
async function startReceiver(): Promise<{ url: string; requests: Received[]; close(): Promise<void> }> {
  const requests: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const origin = req.headers["webhook-request-origin"] as string | undefined;
      if (req.method === "OPTIONS") {
        requests.push({ method: "OPTIONS", origin });
        res.writeHead(200, origin ? { "WebHook-Allowed-Origin": origin } : {}).end();
        return;
      }
      requests.push({ method: req.method ?? "", contentType: req.headers["content-type"], body: JSON.parse(Buffer.concat(chunks).toString("utf8")) });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/fan-pushes`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
