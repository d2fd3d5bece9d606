/**
 * The emulator's Table endpoint is durable on acknowledgement, as Azure Table Storage is: whatever
 * @azure/data-tables was told succeeded (inserts, updates, deletes, transactions) is there after the endpoint's
 * process is killed with SIGKILL and started again on the same data directory; and a transaction comes back whole
 * or not at all.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { TableClient } from "@azure/data-tables";
import { afterAll, expect, test } from "vitest";
import { startTableStorage } from "../../helpers/table-storage.js";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const dataDir = mkdtempSync(path.join(tmpdir(), "tables-durable-"));
let child: ChildProcess | undefined;

afterAll(() => {
  if (child?.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

function startChild(): Promise<string> {
  child = spawn(process.execPath, ["--import", "tsx", "test/fixtures/tables/table-endpoint-child.ts"], {
    cwd: repoRoot,
    env: { ...process.env, DATA_DIR: dataDir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  return new Promise((resolve, reject) => {
    child!.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const m = /^listening (\S+)$/m.exec(output);
      if (m) resolve(m[1]);
    });
    child!.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child!.once("exit", (code) => reject(new Error(`table endpoint exited (${code}):\n${output}`)));
  });
}

test("every acknowledged write survives SIGKILL of the endpoint, and a transaction survives whole", async () => {
  const table = TableClient.fromConnectionString(await startChild(), "orders", { allowInsecureConnection: true });
  await table.createTable();
  // Many writes at once share group commits; each is answered only once it is on disk.
  const entity = (i: number) => ({ partitionKey: `p${i % 10}`, rowKey: `r${i}`, n: i });
  await Promise.all(Array.from({ length: 200 }, (_, i) => table.createEntity(entity(i))));
  const first = await table.getEntity("p0", "r0");
  const updated = await table.updateEntity({ partitionKey: "p0", rowKey: "r0", n: -1 }, "Merge", { etag: first.etag });
  await table.deleteEntity("p1", "r1");
  await table.submitTransaction([
    ["create", { partitionKey: "tx", rowKey: "a", n: 1 }],
    ["create", { partitionKey: "tx", rowKey: "b", n: 2 }],
    ["upsert", { partitionKey: "tx", rowKey: "c", n: 3 }],
  ]);
  const exited = new Promise((resolve) => child!.once("exit", resolve));
  child!.kill("SIGKILL");
  await exited;

  const again = TableClient.fromConnectionString(await startChild(), "orders", { allowInsecureConnection: true });
  const rows: { rowKey?: string; n?: number; etag: string }[] = [];
  for await (const e of again.listEntities<{ n: number }>()) rows.push(e);
  expect(rows).toHaveLength(200 - 1 + 3);
  const byKey = new Map(rows.map((r) => [r.rowKey, r]));
  expect(byKey.get("r0")).toMatchObject({ n: -1, etag: updated.etag });
  expect(byKey.has("r1")).toBe(false);
  expect(["a", "b", "c"].map((k) => byKey.get(k)?.n)).toEqual([1, 2, 3]);
  // The ETag taken before the restart still guards the entity after it.
  const stale = again.updateEntity({ partitionKey: "p0", rowKey: "r0", n: 5 }, "Replace", { etag: first.etag });
  await expect(stale).rejects.toMatchObject({ statusCode: 412 });
  await again.updateEntity({ partitionKey: "p0", rowKey: "r0", n: 5 }, "Replace", { etag: updated.etag });
});

test("a transaction with one failing operation writes nothing, and says which operation failed", async () => {
  const storage = await startTableStorage("emulator");
  try {
    const options = { allowInsecureConnection: true };
    const table = TableClient.fromConnectionString(storage.connectionString, "transactions", options);
    await table.createTable();
    await table.createEntity({ partitionKey: "p", rowKey: "taken" });
    const attempt = table.submitTransaction([
      ["create", { partitionKey: "p", rowKey: "new" }],
      ["create", { partitionKey: "p", rowKey: "taken" }],
    ]);
    const refusal = { statusCode: 409, code: "EntityAlreadyExists", message: expect.stringMatching(/^1:/) };
    await expect(attempt).rejects.toMatchObject(refusal);
    await expect(table.getEntity("p", "new")).rejects.toMatchObject({ statusCode: 404 });
  } finally {
    await storage.close();
  }
});
