/**
 * `npm ci && npm start` as a new user runs it: a fresh clone of the committed HEAD in a temp folder, npm's cache
 * for the install, every port moved to a free one through the documented environment variables (so this file can
 * run beside others). It waits for the endpoints and the seeded concerts `npm start` prints, buys tickets for one
 * with plain fetch calls, sees the purchase completed, then presses Ctrl-C (SIGINT to the process group) and checks that no process is left.
 * Slow (npm ci and the app's build): one test, long timeout.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { freePort } from "../../scripts/local-system/index.js";
import { repoRoot, until } from "./system-under-test.js";

const MINUTE = 60_000;
let workDir: string | undefined;
let child: ChildProcess | undefined;

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

// Removing the clone's node_modules takes a while on a loaded machine: give it time, off the event loop.
afterAll(async () => {
  if (child?.pid && groupAlive(child.pid)) process.kill(-child.pid, "SIGKILL");
  if (workDir) await rm(workDir, { recursive: true, force: true, maxRetries: 3 });
}, 180_000);

/** A user's environment: none of the test runner's variables. */
function userEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(VITEST|NODE_OPTIONS$|npm_|TEST$|NODE_ENV$)/i.test(k)) env[k] = v;
  return { ...env, ...extra };
}

test(
  "npm ci && npm start from a fresh clone seeds two concerts and sells tickets, and Ctrl-C stops every process",
  async () => {
    workDir = mkdtempSync(path.join(tmpdir(), "musicfest-clone-"));
    execFileSync("git", ["clone", "--quiet", repoRoot, workDir], { stdio: "pipe" });
    execFileSync("npm", ["ci", "--no-audit", "--no-fund", "--prefer-offline"], { cwd: workDir, stdio: "pipe", env: userEnvironment({}), timeout: 8 * MINUTE });

    const ports = {
      FUNCTIONS_PORT: await freePort(),
      SERVICEBUS_PORT: await freePort(),
      EMULATOR_HTTP_PORT: await freePort(),
      KAFKA_PORT: await freePort(),
      AZURITE_BLOB_PORT: await freePort(),
      AZURITE_QUEUE_PORT: await freePort(),
      AZURITE_TABLE_PORT: await freePort(),
    };
    const env = userEnvironment(Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])));
    // detached: its own process group, as a terminal gives a command; Ctrl-C signals that whole group.
    child = spawn("npm", ["start"], { cwd: workDir, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
    // "close", not "exit": npm may exit before its child has written its last lines, which reach this process only
    // once every writer of the pipe has closed it (start.ts prints "Stopped." after npm is gone, on a busy machine).
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child!.once("close", (code, signal) => resolve({ code, signal })));

    await until(
      async () => output,
      (o) => o.includes("Press Ctrl-C to stop.") || child!.exitCode !== null,
      5 * MINUTE,
    );
    expect(child.exitCode, output).toBeNull();
    const hostUrl = /^Functions host: (http:\/\/\S+)$/m.exec(output)?.[1];
    expect(hostUrl, output).toBe(`http://127.0.0.1:${ports.FUNCTIONS_PORT}`);
    expect(output).toContain(`Service Bus (AMQP): localhost:${ports.SERVICEBUS_PORT}`);
    expect(output).toContain(`ServiceBusConnection=Endpoint=sb://localhost:${ports.SERVICEBUS_PORT};`);
    expect(output).toContain(`Emulator health: http://127.0.0.1:${ports.EMULATOR_HTTP_PORT}/health`);
    expect(output).toContain(`Table Storage (emulator, durable): http://127.0.0.1:${ports.AZURITE_TABLE_PORT}/devstoreaccount1`);
    expect(output).toContain(`purchases-create: [POST] ${hostUrl}/api/purchases`);
    expect(output).toMatch(/^ {2}opening-night: Opening Night, .*standard 500 left/m);
    expect(output).toMatch(/^ {2}closing-night: Closing Night, /m);
    expect(existsSync(path.join(workDir, "local.settings.json")), "local.settings.json is created on first start").toBe(true);
    expect(existsSync(path.join(workDir, "dist", "functions", "index.js")), "npm start builds the app").toBe(true);

    const res = await fetch(`${hostUrl}/api/purchases`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ concertId: "opening-night", fan: { id: "new-user", email: "new.user@example.com" }, tier: "standard", quantity: 3 }),
    });
    expect(res.status).toBe(202);
    const correlationId = res.headers.get("x-correlation-id");
    const location = res.headers.get("location");
    const purchase = await until(
      // The purchase's read model answers 404 until the purchases handler has placed it; then pending, then final.
      async () => (await (await fetch(`${hostUrl}${location}`)).json()) as { status?: string | number; ticketIds?: string[] },
      (p) => typeof p.status === "string" && p.status !== "pending",
      30_000,
    );
    expect(purchase.status).toBe("completed");
    expect(purchase.ticketIds).toHaveLength(3);
    // Each invocation is logged with its trigger, outcome, duration and the purchase's correlation id, from the POST
    // through the Service Bus consumers to the Event Grid notification; the app's lines carry it too.
    await until(async () => output, (o) => o.includes("Executed 'Functions.notify-fan' (Succeeded"), 30_000);
    expect(output).toMatch(new RegExp(`Executed 'Functions\\.purchases-create' \\(Succeeded, Id=[0-9a-f-]+, CorrelationId=${correlationId}, Duration=[\\d.]+ms\\) \\{"trigger":"httpTrigger"\\}`));
    for (const fn of ["purchases", "concerts", "payments", "ticketing-provider", "purchase-process", "email", "notify-fan"]) expect(output).toContain(`Executed 'Functions.${fn}' (Succeeded, Id=`);
    expect(output.split("\n").filter((l) => l.includes(`CorrelationId=${correlationId},`)).length).toBeGreaterThanOrEqual(6);
    expect(output).toMatch(/\[correlationId=[0-9a-f-]+\] fan new-user notified: PurchaseCompleted/);

    const pgid = child.pid!;
    process.kill(-pgid, "SIGINT");
    const { code, signal } = await Promise.race([
      exited,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`npm start did not stop within 30 s:\n${output}`)), 30_000).unref()),
    ]);
    await until(async () => groupAlive(pgid), (alive) => !alive, 20_000);
    expect(output).toContain("Stopped.");
    // npm passes the interrupt on: it ends by SIGINT itself (or exits 0 / 130, depending on its version).
    expect(code === 0 || code === 130 || signal === "SIGINT", `npm exited with code ${code}, signal ${signal}\n${output}`).toBe(true);
    expect(output).not.toMatch(/ERROR|exited unexpectedly/);
  },
  15 * MINUTE,
);
