/**
 * kill -9 of the whole local system while fans buy tickets, then a restart on the same data directory, as
 * `npm start -- --data-dir X` does after a crash: nothing the system acknowledged is lost. Every purchase the API
 * accepted ends completed or cancelled, no fan is charged without tickets or a refund (the payments ledger), and no
 * mail goes out twice. This held in Azure (Table Storage is durable on acknowledgement) but not locally while the
 * app's tables lived on Azurite, which saves them to disk only every few seconds.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { TableClient } from "@azure/data-tables";
import { afterAll, expect, test } from "vitest";
import { freePort, type LocalSystemPorts } from "../../scripts/local-system/index.js";
import { fan, type Json, TicketingClient } from "./purchase-client.js";
import { repoRoot, type SystemUnderTest, until } from "./system-under-test.js";

const dataDir = mkdtempSync(path.join(tmpdir(), "musicfest-kill-data-"));
const appDir = mkdtempSync(path.join(tmpdir(), "musicfest-kill-app-"));
copyFileSync(path.join(repoRoot, "host.json"), path.join(appDir, "host.json"));
const appMain = path.join(repoRoot, "functions", "index.ts");
const appPackage = { name: "musicfest-kill-test", private: true, type: "module", main: appMain };
writeFileSync(path.join(appDir, "package.json"), JSON.stringify(appPackage));
const children: ChildProcess[] = [];

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

afterAll(() => {
  for (const child of children) if (child.pid && groupAlive(child.pid)) process.kill(-child.pid, "SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(appDir, { recursive: true, force: true });
});

/** The local system in its own process group (as a terminal runs `npm start`); resolves once it is ready. */
interface RunningSystem {
  child: ChildProcess;
  functionsUrl: string;
  storage: string;
}

async function startSystem(ports: LocalSystemPorts): Promise<RunningSystem> {
  const child = spawn(process.execPath, ["--import", "tsx", "test/fixtures/local-system/local-system-child.ts"], {
    cwd: repoRoot,
    env: { ...process.env, DATA_DIR: dataDir, PORTS: JSON.stringify(ports), APP_DIR: appDir },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /^ready (.*)$/m.exec(output);
      if (ready) resolve({ child, ...(JSON.parse(ready[1]) as { functionsUrl: string; storage: string }) });
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code, signal) => {
      reject(new Error(`local system exited (${code ?? signal}) before it was ready:\n${output}`));
    });
  });
}

/** What the API and the tables show from outside, as the purchase tests read them. */
function client(functionsUrl: string, storage: string): TicketingClient {
  const table = (name: string) => TableClient.fromConnectionString(storage, name, { allowInsecureConnection: true });
  const sut = { url: functionsUrl, table };
  return new TicketingClient(sut as unknown as SystemUnderTest);
}

async function killGroup(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  process.kill(-child.pid!, "SIGKILL");
  await exited;
  await until(async () => groupAlive(child.pid!), (alive) => !alive, 10_000);
}

test(
  "SIGKILL of the whole local system during purchases loses no accepted purchase, charge, refund or mail",
  async () => {
    const ports: LocalSystemPorts = {
      functions: await freePort(),
      serviceBus: await freePort(),
      emulatorHttp: await freePort(),
      kafka: await freePort(),
      blob: await freePort(),
      queue: await freePort(),
      table: await freePort(),
    };
    const first = await startSystem(ports);
    let api = client(first.functionsUrl, first.storage);
    const concert = await api.scheduleConcert({ capacity: { standard: 500, vip: 0 } });

    // Purchases at about 25/s until 15 are accepted; the kill lands while those are still on their way.
    const accepted: string[] = [];
    const placing: Promise<void>[] = [];
    const deadline = Date.now() + 30_000;
    while (accepted.length < 15 && Date.now() < deadline) {
      placing.push(
        api
          .placePurchase({ concertId: concert.concertId, fan: fan(), tier: "standard", quantity: 1 })
          .then((res) => {
            if (res.status === 202) accepted.push(res.body.purchaseId as string);
          })
          .catch(() => undefined),
      );
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    await killGroup(first.child);
    await Promise.all(placing);
    expect(accepted.length).toBeGreaterThanOrEqual(15);

    const second = await startSystem(ports);
    api = client(second.functionsUrl, second.storage);
    const outcomes: Json[] = [];
    for (const id of accepted) outcomes.push({ id, ...(await api.outcome(id, 40_000)) });
    expect(outcomes.filter((o) => o.status !== "completed" && o.status !== "cancelled")).toEqual([]);

    for (const { id, status } of outcomes) {
      const ledger = await api.ledger(id);
      const charged = ledger.some((e) => e.rowKey === "charge" && e.status === "captured");
      const refunded = ledger.some((e) => e.rowKey === "refund");
      // A captured charge is paid for with tickets (completed) or given back (refund); nothing else.
      if (charged) expect({ id, status, refunded }).toMatchObject({ refunded: status !== "completed" });
      const mails = await api.mails(id);
      const types = mails.map((m) => m.eventType as string);
      expect({ id, types }).toEqual({ id, types: [...new Set(types)] });
    }
    await killGroup(second.child);
  },
  120_000,
);
