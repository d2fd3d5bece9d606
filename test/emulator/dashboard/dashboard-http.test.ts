/**
 * The dashboard's HTTP side: the page and its libraries at `/` (no more JSON 404), the JSON state, the live stream,
 * and the test-message action, which passes the same key and same-origin checks as every mutating route.
 */
import http from "node:http";
import type { ServiceBusClient } from "@azure/service-bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../../../emulator/index.js";
import { emulatorAuthorizationHeader } from "../../../emulator/servicebus/sas-token.js";
import { serviceBusClient, serviceBusConfig, startServiceBusEmulator } from "../../helpers/servicebus.js";

let emulator: Emulator;
let client: ServiceBusClient;

beforeAll(async () => {
  const carts = { Name: "carts", Properties: { RequiresSession: true } };
  emulator = await startServiceBusEmulator(serviceBusConfig([{ Name: "orders" }, carts]));
  client = serviceBusClient(emulator);
});

afterAll(async () => {
  await client?.close();
  await emulator?.close();
});

const url = (path: string) => `${emulator.http.url}${path}`;
const key = () => emulatorAuthorizationHeader(emulator.http.url);
const send = (body: unknown, headers: Record<string, string> = key()) =>
  fetch(url("/dashboard/servicebus/messages"), {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });

/** Reads server-sent events until `done` accepts one; returns the events seen. */
function readEvents(done: (event: string, data: string) => boolean, timeoutMs = 5000): { seen: Promise<string[]> } {
  const controller = new AbortController();
  const events: string[] = [];
  const seen = (async () => {
    const res = await fetch(url("/dashboard/events"), { signal: controller.signal });
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    let buffer = "";
    for await (const chunk of res.body!) {
      buffer += Buffer.from(chunk).toString("utf8");
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(frame)?.[1] ?? "";
        const data = /^data: (.*)$/m.exec(frame)?.[1] ?? "";
        events.push(`${event} ${data}`);
        if (done(event, data)) {
          clearTimeout(timer);
          controller.abort();
          return events;
        }
      }
    }
    return events;
  })().catch((err: unknown) => {
    // Aborting is how reading ends: on the awaited event, or at the timeout (then `done` never held).
    if ((err as Error).name === "AbortError") return events;
    throw err;
  });
  return { seen };
}

describe("the dashboard over HTTP", () => {
  it("serves the page at / and its libraries from node_modules", async () => {
    const page = await fetch(url("/"));
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await page.text()).toContain('"preact": "/dashboard/vendor/preact.mjs"');
    for (const file of ["vendor/preact.mjs", "vendor/hooks.mjs", "vendor/htm.mjs", "page/app.js", "page/sas.js"]) {
      const res = await fetch(url(`/dashboard/${file}`));
      const answer = [file, res.status, res.headers.get("content-type")];
      expect(answer).toEqual([file, 200, "text/javascript; charset=utf-8"]);
    }
    expect((await fetch(url("/dashboard/page/..%2Fdashboard-routes.ts"))).status).toBe(404);
    const unknown = await fetch(url("/dashboard/page/dashboard-routes.ts"));
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("content-type")).toContain("application/problem+json");
  });

  it("lists the entities with counts, and the sessions of a session queue with their state", async () => {
    const sender = client.createSender("carts");
    await sender.sendMessages([{ body: "a", sessionId: "cart-1" }, { body: "b", sessionId: "cart-1" }]);
    await sender.close();
    const receiver = await client.acceptSession("carts", "cart-1");
    await receiver.setSessionState("step 2"); // the SDK stores it JSON-encoded
    const state = (await (await fetch(url("/dashboard/state/servicebus"))).json()) as { queues: any[] };
    await receiver.close();
    const carts = state.queues.find((q) => q.name === "carts");
    expect(carts.counts).toMatchObject({ active: 2, scheduled: 0, deferred: 0, deadLetter: 0 });
    const lockedUntilUtc = expect.any(String);
    const session = { sessionId: "cart-1", messages: 2, lockedUntilUtc, state: '"step 2"', stateBytes: 8 };
    expect(carts.sessions).toEqual([session]);
  });

  it("sends a test message with the namespace key, and refuses one without it or from another site", async () => {
    expect((await send({ entity: "orders", body: "hi" }, {})).status).toBe(401);
    const foreign = await send({ entity: "orders", body: "hi" }, { ...key(), origin: "http://evil.example" });
    expect(foreign.status).toBe(403);

    const fields = { contentType: "application/json", correlationId: "page-1", applicationProperties: { tier: "vip" } };
    const res = await send({ entity: "orders", body: '{"n":1}', ...fields });
    expect(res.status).toBe(201);
    const receiver = client.createReceiver("orders", { receiveMode: "receiveAndDelete" });
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    await receiver.close();
    expect(message).toMatchObject({ body: { n: 1 }, ...fields });
  });

  it("answers bad test messages with a 4xx problem that says what is wrong", async () => {
    const cases: [unknown, number, RegExp][] = [
      [{ entity: "nope", body: "x" }, 404, /could not be found/],
      [{ entity: "orders" }, 400, /body: .*Required|body: Invalid/i],
      [{ entity: "orders", body: "x", extra: 1 }, 400, /Unrecognized key/],
      [{ entity: "carts", body: "x" }, 409, /requires sessions/],
    ];
    for (const [body, status, detail] of cases) {
      const res = await send(body);
      const problem = (await res.json()) as { detail: string };
      const answer = [res.status, res.headers.get("content-type")];
      expect(answer).toEqual([status, "application/problem+json; charset=utf-8"]);
      expect(problem.detail).toMatch(detail);
    }
    const notJson = await fetch(url("/dashboard/servicebus/messages"), { method: "POST", headers: key(), body: "{" });
    expect(notJson.status).toBe(400);
  });

  it("pushes what changed on the live stream: hello, then the section a message touched", async () => {
    const stream = readEvents((event, data) => event === "changed" && data.includes("servicebus"));
    await new Promise((resolve) => setTimeout(resolve, 100)); // the stream is open before the message is sent
    await send({ entity: "orders", body: "live" });
    const events = await stream.seen;
    expect(events[0]).toBe("hello {}");
    expect(events.at(-1)).toMatch(/^changed \{"sections":\["servicebus"\]/);
  });

  it("forgets a page that closes its stream", async () => {
    const stalled = await new Promise<http.ClientRequest>((resolve) => {
      const req = http.get(url("/dashboard/events"), (res) => {
        res.pause();
        resolve(req);
      });
    });
    expect(emulator.dashboard!.liveClients).toBe(1);
    stalled.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(emulator.dashboard!.liveClients).toBe(0);
  });
});
