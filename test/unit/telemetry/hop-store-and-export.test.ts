/**
 * The timeline's writer on Azurite and on the emulator's Table endpoint (hops queued, written in transactions per
 * partition, read back per purchase), a table that cannot be reached (nothing thrown, the failure reported, the
 * queue bounded), and spans exported over OTLP/HTTP to a collector when OTEL_EXPORTER_OTLP_ENDPOINT is set.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMessage } from "../../../src/events/catalog.js";
import { startTelemetry } from "../../../src/telemetry/telemetry-setup.js";
import { tracer } from "../../../src/telemetry/tracer.js";
import { factsOf, hopOf } from "../../../src/timeline/hop.js";
import { TableHopStore } from "../../../src/timeline/table-hop-store.js";
import { createTableClient, LazyTable } from "../../../src/storage/table-client.js";
import { AZURITE_ACCOUNT, AZURITE_KEY, type AzuriteInstance, startAzurite } from "../../helpers/azurite.js";
import { TABLE_BACKENDS, startTableStorage, type TableStorage } from "../../helpers/table-storage.js";

let azurite: AzuriteInstance;
let emulatorTables: TableStorage;
beforeAll(async () => {
  [azurite, emulatorTables] = await Promise.all([startAzurite(), startTableStorage("emulator")]);
}, 30_000);
afterAll(() => Promise.all([azurite?.close(), emulatorTables?.close()]));

const message = (purchaseId: string, i: number) => createMessage("ReserveTickets", { concertId: "c-1", purchaseId, tier: "standard", quantity: 1 }, { correlationId: `corr-${purchaseId}`, id: `${purchaseId}:m${i}` });
const hopsFor = (purchaseId: string, n: number) => Array.from({ length: n }, (_, i) => ({ ...hopOf(factsOf(message(purchaseId, i))!, "published", new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i))), seq: i, process: "t" }));

describe("timeline hop store", () => {
  it.each(TABLE_BACKENDS)("writes queued hops in transactions per purchase (over 100 in one flush too) and reads them back (%s)", async (backend) => {
    const connectionString = backend === "Azurite" ? azurite.connectionString : emulatorTables.connectionString;
    const table = new LazyTable(createTableClient({ kind: "connectionString", connectionString }, `timeline${Date.now()}`));
    const errors: unknown[] = [];
    const store = new TableHopStore(table, { flushDelayMs: 5, onError: (e) => errors.push(e) });
    store.record(hopsFor("p-a", 130));
    store.record(hopsFor("p-b", 3));
    await store.close();
    expect(errors).toEqual([]);
    const a = await store.hopsOfPurchase("p-a");
    expect(a).toHaveLength(130);
    expect(a[0]).toMatchObject({ kind: "published", messageId: "p-a:m0", purchaseId: "p-a", correlationId: "corr-p-a", name: "ReserveTickets" });
    expect((await store.hopsOfPurchase("p-b")).map((h) => h.messageId)).toEqual(["p-b:m0", "p-b:m1", "p-b:m2"]);
    expect(await store.hopsOfPurchase("p-none")).toEqual([]);
  });

  it("writes a purchase's hops once it has been quiet for a period, or its first hop waited four", async () => {
    const table = new LazyTable(createTableClient({ kind: "connectionString", connectionString: azurite.connectionString }, `timeline${Date.now()}q`));
    const store = new TableHopStore(table, { flushDelayMs: 100 });
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const [first, second] = hopsFor("p-q", 2);
    store.record([first]);
    await sleep(60);
    store.record([second]);
    // The timer fired at 100 ms, but the partition had a hop 40 ms before: it waits for the next period.
    await sleep(80);
    expect(await store.hopsOfPurchase("p-q")).toEqual([]);
    await sleep(200);
    expect((await store.hopsOfPurchase("p-q")).map((h) => h.messageId)).toEqual(["p-q:m0", "p-q:m1"]);

    // A purchase that never goes quiet is still written after four periods.
    const busy = hopsFor("p-busy", 30);
    const started = Date.now();
    let seen = 0;
    let recorded = 0;
    for (const hop of busy) {
      store.record([hop]);
      recorded++;
      await sleep(20);
      seen = (await store.hopsOfPurchase("p-busy")).length;
      if (seen > 0) break;
    }
    expect(seen).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(4 * 100 + 300);
    await store.close();
    expect(seen).toBeLessThan(recorded + 1);
    expect(await store.hopsOfPurchase("p-busy")).toHaveLength(recorded);
  });

  it("never throws when the table cannot be reached: it reports, drops, and bounds its queue", async () => {
    const dead = new LazyTable(createTableClient({ kind: "connectionString", connectionString: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};TableEndpoint=http://127.0.0.1:1/${AZURITE_ACCOUNT};` }, "timeline"));
    const errors: unknown[] = [];
    const store = new TableHopStore(dead, { flushDelayMs: 5, maxQueued: 10, onError: (e) => errors.push(e) });
    expect(() => store.record(hopsFor("p-c", 15))).not.toThrow();
    expect(store.droppedHops).toBe(5);
    await expect(store.close()).resolves.toBeUndefined();
    expect(errors.length).toBeGreaterThan(0);
  }, 60_000);
});

describe("trace export", () => {
  it("sends spans to the OTLP/HTTP collector named by OTEL_EXPORTER_OTLP_ENDPOINT", async () => {
    const received: { path: string; contentType: string; bytes: number }[] = [];
    const collector = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push({ path: req.url ?? "", contentType: req.headers["content-type"] ?? "", bytes: Buffer.concat(chunks).length });
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", resolve));
    try {
      const telemetry = startTelemetry({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as AddressInfo).port}`, OTEL_SERVICE_NAME: "musicfest-test" } });
      expect(telemetry.exporters).toEqual(["otlp"]);
      tracer().startSpan("publish events").end();
      await telemetry.forceFlush();
      expect(received).toEqual([expect.objectContaining({ path: "/v1/traces" })]);
      expect(received[0].bytes).toBeGreaterThan(0);
      await telemetry.shutdown();
    } finally {
      collector.close();
    }
  });
});
