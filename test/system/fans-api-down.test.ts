/**
 * The fans API stopped, as one stops it in Azure: the app restarted with `AzureWebJobs.<name>.Disabled=true` for the
 * fans service's functions (its HTTP routes then answer 404, its command handler takes nothing). One emulator, one
 * Azurite and one port; the app (the local Functions host) restarts with other settings, three times:
 *   1. the fans service up, the e-mail service not running yet: a fan registers and changes her e-mail; the
 *      ticketing side's replica follows; FanRegistered waits in the `email` subscription;
 *   2. the fans service down: a purchase by fanId still carries the fan's current details (from the replica); the
 *      e-mail service cannot call the fans API back for the waiting FanRegistered, so the event is redelivered and,
 *      after MaxDeliveryCount, dead-lettered: pending in the dead-letter queue, not lost;
 *   3. the fans service back: the dead letter is resubmitted and the welcome mail written.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { TableClient } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FunctionsHost, type InvocationRecord, startFunctionsHost } from "../../emulator/functions-host/index.js";
import { freePort, type LocalSystem, startLocalSystem } from "../../scripts/local-system/index.js";
import { repoRoot, until } from "./system-under-test.js";
import { FUTURE_START } from "../helpers/future-start.js";

const KEY = "fans-down-test-key";
const fansServiceFunctions = ["fans-register", "fans-update", "fans-get", "fans"];
const disabled = (names: string[]) => Object.fromEntries(names.map((n) => [`AzureWebJobs.${n}.Disabled`, "true"]));

let system: LocalSystem;
let port: number;
let appDir: string;
let host: FunctionsHost | undefined;
const invocations: (InvocationRecord & { phase: number })[] = [];
let phase = 0;

/** (Re)starts the app on the same port with these settings over the ones that point at the emulators. */
async function restartApp(settings: Record<string, string>): Promise<void> {
  await host?.close();
  phase++;
  host = await startFunctionsHost({
    appDir,
    port,
    clock: system.emulator.clock,
    env: { ...system.appSettings, "host.function.default": KEY, ...settings },
    onInvocation: (r) => invocations.push({ ...r, phase }),
  });
}

beforeAll(async () => {
  appDir = mkdtempSync(path.join(tmpdir(), "musicfest-app-"));
  copyFileSync(path.join(repoRoot, "host.json"), path.join(appDir, "host.json"));
  writeFileSync(path.join(appDir, "package.json"), JSON.stringify({ name: "musicfest-fans-down", private: true, type: "module", main: path.join(repoRoot, "functions", "index.ts") }));
  port = await freePort();
  system = await startLocalSystem({
    appDir,
    ports: { functions: port, serviceBus: 0, emulatorHttp: 0, kafka: 0, blob: 0, queue: 0, table: 0 },
    functionsHost: false,
    extraSettings: { WEBSITE_HOSTNAME: `127.0.0.1:${port}` },
    logLevel: "silent",
  });
}, 60_000);

afterAll(async () => {
  await host?.close();
  await system?.close();
  if (appDir) rmSync(appDir, { recursive: true, force: true });
});

async function call(method: string, url: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`http://127.0.0.1:${port}${url}`, {
    method,
    headers: { "x-functions-key": KEY, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function rows(table: string, filter: string): Promise<Record<string, any>[]> {
  const client = TableClient.fromConnectionString(system.azurite.connectionString, table, { allowInsecureConnection: true });
  const out: Record<string, any>[] = [];
  try {
    for await (const e of client.listEntities({ queryOptions: { filter } })) out.push(e);
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) throw err;
  }
  return out;
}
const replica = async () => (await rows("fanreplica", "PartitionKey eq 'kim'"))[0];
const welcomeMails = () => rows("mails", "PartitionKey eq 'fan-kim' and RowKey ge 'mail:' and RowKey lt 'mail;'");
const emailDeadLetters = () => call("GET", "/api/ops/dead-letters?entity=events/subscriptions/email");

describe("with the fans API stopped", () => {
  it("purchases still carry the fan's current details, and the welcome mail waits in the dead-letter queue until the API is back", async () => {
    // 1. The fans service up; the e-mail service not running yet.
    await restartApp(disabled(["email"]));
    expect((await call("POST", "/api/fans", { fanId: "kim", email: "kim@old.example.com", name: "Kim" })).status).toBe(202);
    await until(() => call("GET", "/api/fans/kim"), (r) => r.status === 200);
    expect((await call("PUT", "/api/fans/kim", { email: "kim@new.example.com", name: "Kim Lee" })).status).toBe(202);
    expect(await until(replica, (r) => r?.streamVersion === 3)).toMatchObject({ email: "kim@new.example.com", name: "Kim Lee" });
    const concert = { concertId: "fans-down-night", name: "Night", venue: "Main Stage", startsAt: FUTURE_START, capacity: { standard: 10, vip: 0 }, prices: { standard: 5_000, vip: 0 } };
    expect((await call("POST", "/api/concerts", concert)).status).toBe(202);
    await until(() => call("GET", "/api/concerts/fans-down-night"), (r) => r.status === 200);

    // 2. The fans service stopped: its routes answer 404 without running anything.
    await restartApp(disabled(fansServiceFunctions));
    expect(host!.functions.filter((f) => f.disabled).map((f) => f.name).sort()).toEqual([...fansServiceFunctions].sort());
    expect((await call("GET", "/api/fans/kim")).status).toBe(404);
    expect((await call("PUT", "/api/fans/kim", { email: "kim@other.example.com", name: "Kim" })).status).toBe(404);

    const placed = await call("POST", "/api/purchases", { concertId: "fans-down-night", fanId: "kim", tier: "standard", quantity: 2 });
    expect(placed.status).toBe(202);
    const done = await until(() => call("GET", `/api/purchases/${placed.body.purchaseId}`), (r) => r.status === 200 && r.body.status !== "pending", 20_000);
    expect(done.body).toMatchObject({ status: "completed", fan: { id: "kim", email: "kim@new.example.com", name: "Kim Lee" } });
    const [mail] = await until(() => rows("mails", `PartitionKey eq '${placed.body.purchaseId}' and RowKey ge 'mail:' and RowKey lt 'mail;'`), (m) => m.length > 0);
    expect(mail).toMatchObject({ to: "kim@new.example.com" });

    // The waiting FanRegistered: each delivery fails on the callback, the fifth goes to the dead-letter queue.
    const listed = await until(emailDeadLetters, (r) => r.body?.count === 1, 30_000);
    expect(listed.body.items[0]).toMatchObject({ reason: "MaxDeliveryCountExceeded", deliveryCount: 5, body: { type: "MusicFest.Fans.FanRegistered.v1", data: { fanId: "kim" } } });
    const failures = invocations.filter((r) => r.phase === 2 && r.functionName === "email" && r.outcome === "failed");
    expect(failures).toHaveLength(5);
    expect(failures[0].error).toMatch(/fans API has no fan kim \(HTTP 404/);
    expect(await welcomeMails()).toEqual([]);
    expect(invocations.filter((r) => r.phase === 2 && fansServiceFunctions.includes(r.functionName))).toEqual([]);

    // 3. The fans service back: resubmitted, the welcome mail is written with the fan's current details.
    await restartApp({});
    const resubmitted = await call("POST", "/api/ops/dead-letters/resubmit?entity=events/subscriptions/email");
    expect(resubmitted.status).toBe(200);
    const [welcome] = await until(welcomeMails, (m) => m.length > 0);
    expect(welcome).toMatchObject({ to: "kim@new.example.com", subject: "Welcome to Music Fest" });
    expect(welcome.body).toMatch(/^Hello Kim Lee,/);
    expect((await emailDeadLetters()).body.count).toBe(0);
  });
});
