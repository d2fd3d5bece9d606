/**
 * The operations endpoints of functions/admin.ts under the local Functions host, against the emulator: a function
 * key is required (auth level `function`), bad input is 400 problem+json, unknown entity or sequence number 404,
 * and a poison message is listed, inspected and resubmitted over HTTP. Also the simulated ticketing provider's
 * route (functions/simulated-ticketing-provider.ts). The host runs just these two files, so the test does not
 * depend on the rest of the app.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ServiceBusClient } from "@azure/service-bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FunctionsHost, startFunctionsHost } from "../../emulator/functions-host/index.js";
import type { Emulator } from "../../emulator/index.js";
import { sendWith, serviceBusClient, serviceBusConfig, startServiceBusEmulator } from "../helpers/servicebus.js";
import { repoRoot } from "./system-under-test.js";

const KEY = "ops-test-key";
const CAPTURE = "MusicFest.Payments.CapturePayment.v1";

let emulator: Emulator;
let client: ServiceBusClient;
let host: FunctionsHost;
let appDir: string;

beforeAll(async () => {
  emulator = await startServiceBusEmulator(
    serviceBusConfig(
      [],
      [
        {
          Name: "commands",
          Properties: { RequiresDuplicateDetection: true },
          Subscriptions: [{ Name: "payments", Properties: { MaxDeliveryCount: 2 }, Rules: [{ Name: "payments", Properties: { FilterType: "Sql", SqlFilter: { SqlExpression: `commandType = '${CAPTURE}'` } } }] }],
        },
      ],
    ),
  );
  client = serviceBusClient(emulator);
  appDir = mkdtempSync(path.join(tmpdir(), "musicfest-ops-"));
  copyFileSync(path.join(repoRoot, "host.json"), path.join(appDir, "host.json"));
  const entry = ["admin.ts", "simulated-ticketing-provider.ts"].map((f) => `import ${JSON.stringify(pathToFileURL(path.join(repoRoot, "functions", f)).href)};`).join("\n");
  writeFileSync(path.join(appDir, "entry.ts"), `${entry}\n`);
  writeFileSync(path.join(appDir, "package.json"), JSON.stringify({ name: "ops-under-test", private: true, type: "module", main: "entry.ts" }));
  host = await startFunctionsHost({
    appDir,
    port: 0,
    clock: emulator.clock,
    env: { ServiceBusConnection: emulator.serviceBus.connectionString, "host.function.default": KEY, TicketingProvider__unavailableConcerts: "sold-elsewhere" },
  });
});

afterAll(async () => {
  await host?.close();
  await client?.close();
  await emulator?.close();
  if (appDir) rmSync(appDir, { recursive: true, force: true });
});

async function call(method: "GET" | "POST", pathAndQuery: string, key: string | null = KEY): Promise<{ status: number; type: string | null; body: any }> {
  const response = await fetch(`${host.url}/api/${pathAndQuery}`, { method, headers: key ? { "x-functions-key": key } : {} });
  const text = await response.text();
  return { status: response.status, type: response.headers.get("content-type"), body: text ? JSON.parse(text) : undefined };
}

describe("dead-letter operations endpoints", () => {
  const entity = "entity=commands/subscriptions/payments";

  it("requires a function key", async () => {
    expect((await call("GET", `ops/dead-letters?${entity}`, null)).status).toBe(401);
    expect((await call("GET", `ops/dead-letters?${entity}`, "wrong")).status).toBe(401);
    expect((await call("GET", `ops/dead-letters?${entity}`)).status).toBe(200);
  });

  it("answers 400 for bad input and 404 for unknown entities and sequence numbers", async () => {
    const missing = await call("GET", "ops/dead-letters");
    expect(missing.status).toBe(400);
    expect(missing.type).toMatch(/^application\/problem\+json/);
    expect(missing.body.errors).toEqual([expect.objectContaining({ name: "entity" })]);
    expect((await call("GET", "ops/dead-letters?entity=a/b/c/d")).status).toBe(400);
    expect((await call("GET", `ops/dead-letters/abc?${entity}`)).body.errors[0].name).toBe("sequenceNumber");
    expect((await call("GET", `ops/dead-letters?${entity}&max=0`)).body.errors[0].name).toBe("max");
    const unknownEntity = await call("GET", "ops/dead-letters?entity=commands/subscriptions/nope");
    expect(unknownEntity.status).toBe(404);
    expect(unknownEntity.body.detail).toContain("commands/subscriptions/nope");
    expect((await call("GET", `ops/dead-letters/424242?${entity}`)).status).toBe(404);
    expect((await call("POST", `ops/dead-letters/424242/resubmit?${entity}`)).status).toBe(404);
  });

  it("lists, inspects and resubmits a poison message", async () => {
    await sendWith(client, "commands", { messageId: "cmd-1", body: { specversion: "1.0", id: "cmd-1", type: CAPTURE }, applicationProperties: { commandType: CAPTURE } });
    const receiver = client.createReceiver("commands", "payments");
    try {
      for (let i = 0; i < 2; i++) {
        const [m] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5_000 });
        await receiver.abandonMessage(m);
      }
      const listed = await call("GET", `ops/dead-letters?${entity}`);
      expect(listed.body).toMatchObject({ entity: "commands/subscriptions/payments", count: 1, items: [{ messageId: "cmd-1", reason: "MaxDeliveryCountExceeded", deliveryCount: 2 }] });
      const seq = listed.body.items[0].sequenceNumber as number;
      const one = await call("GET", `ops/dead-letters/${seq}?${entity}`);
      expect(one.body).toMatchObject({ sequenceNumber: seq, body: { id: "cmd-1" } });
      const resubmitted = await call("POST", `ops/dead-letters/${seq}/resubmit?${entity}`);
      expect(resubmitted.body).toEqual({ entity: "commands/subscriptions/payments", target: "commands", resubmitted: [{ sequenceNumber: seq, messageId: `cmd-1:resubmit:${seq}` }] });
      expect((await call("GET", `ops/dead-letters?${entity}`)).body.count).toBe(0);
      const [back] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5_000 });
      expect(back.body).toEqual({ specversion: "1.0", id: "cmd-1", type: CAPTURE });
      await receiver.completeMessage(back);
      expect((await call("POST", `ops/dead-letters/resubmit?${entity}`)).body.resubmitted).toEqual([]);
    } finally {
      await receiver.close();
    }
  });
});

describe("simulated ticketing provider route", () => {
  const request = { purchaseId: "p-1", concertId: "c-1", tier: "standard", quantity: 2, fan: { id: "fan-1", email: "fan@example.com" } };
  const post = (body: unknown) => fetch(`${host.url}/api/simulated/ticketing-provider/tickets`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

  it("issues tickets anonymously, the same ones for the same purchase", async () => {
    const first = await post(request);
    expect(first.status).toBe(201);
    const issued = (await first.json()) as { ticketIds: string[] };
    expect(issued.ticketIds).toHaveLength(2);
    expect(await (await post(request)).json()).toEqual(issued);
  });

  it("answers 409 for an unavailable concert and 400 for a bad request", async () => {
    const unavailable = await post({ ...request, concertId: "sold-elsewhere" });
    expect(unavailable.status).toBe(409);
    expect(unavailable.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    await unavailable.text();
    const bad = await post({ purchaseId: "p-2" });
    expect(bad.status).toBe(400);
    await bad.text();
  });
});
