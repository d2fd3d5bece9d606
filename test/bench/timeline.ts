/**
 * What the purchase timeline costs a purchase: two systems side by side, the same except `Timeline__enabled`
 * (hops written to Table `timeline`, or not; tracing spans are made in both), buying in alternating rounds so both
 * see the same machine. Each purchase is timed from its POST to the commit of its PurchaseCompleted (the event's
 * time in the event store). Also: how many hops one purchase writes.
 */
import { type SystemUnderTest, startSystemUnderTest, until } from "../system/system-under-test.js";
import { type BenchRow, type BenchSuite, percentile, round1 } from "./harness.js";
import { closedLoop, httpLoadClient } from "./http-load.js";
import { FUTURE_START } from "../helpers/future-start.js";

const suite = "timeline";
const ROUNDS = 6;
const PER_ROUND = 24;
const CONCURRENCY = 4;

const { request, close: closeClient } = httpLoadClient(CONCURRENCY * 4);

interface Side {
  label: string;
  sut: SystemUnderTest;
  latencies: number[];
}

async function prepare(sut: SystemUnderTest): Promise<void> {
  const res = await request(`${sut.url}/api/concerts`, "POST", JSON.stringify({ concertId: "bench-timeline", name: "Bench", venue: "Hall", startsAt: FUTURE_START, capacity: { standard: 1_000_000, vip: 1_000 }, prices: { standard: 5_000, vip: 20_000 } }));
  if (res.status !== 202) throw new Error(`POST /api/concerts answered ${res.status}: ${res.text}`);
  await until(() => request(`${sut.url}/api/concerts/bench-timeline`, "GET"), (r) => r.status === 200, 30_000);
}

/** Buys once and returns POST -> PurchaseCompleted committed, in ms. */
async function buy(sut: SystemUnderTest, i: number): Promise<number> {
  const sent = Date.now();
  const res = await request(`${sut.url}/api/purchases`, "POST", JSON.stringify({ concertId: "bench-timeline", fan: { id: `fan-${i}`, email: `fan${i}@example.com` }, tier: "standard", quantity: 1 }));
  if (res.status !== 202) throw new Error(`POST /api/purchases answered ${res.status}: ${res.text}`);
  const { purchaseId } = JSON.parse(res.text) as { purchaseId: string };
  await until(() => request(`${sut.url}/api/purchases/${purchaseId}`, "GET"), (r) => r.status === 200 && (JSON.parse(r.text) as { status: string }).status !== "pending", 60_000);
  for await (const row of sut.table("events").listEntities<{ type: string; event: string }>({ queryOptions: { filter: `PartitionKey eq 'purchase-${purchaseId}' and RowKey ge 'e:' and RowKey lt 'e;'` } })) {
    if (row.type.includes(".PurchaseCompleted.")) return Date.parse((JSON.parse(row.event) as { time: string }).time) - sent;
  }
  throw new Error(`purchase ${purchaseId} did not complete`);
}


export const timelineSuite: BenchSuite = {
  name: suite,
  async run(): Promise<BenchRow[]> {
    const off: Side = { label: "Timeline__enabled=false", sut: await startSystemUnderTest({ settings: { Timeline__enabled: "false" } }), latencies: [] };
    const on: Side = { label: "timeline on", sut: await startSystemUnderTest(), latencies: [] };
    try {
      await Promise.all([prepare(off.sut), prepare(on.sut)]);
      // Warm up both (SDK loading, links, tables).
      for (const side of [off, on]) await closedLoop(CONCURRENCY, 8, (i) => buy(side.sut, 1_000_000 + i).then(() => undefined));
      let n = 0;
      for (let r = 0; r < ROUNDS; r++) {
        for (const side of r % 2 === 0 ? [off, on] : [on, off]) {
          await closedLoop(CONCURRENCY, PER_ROUND, async () => void side.latencies.push(await buy(side.sut, n++)));
        }
      }
      // One purchase's hops.
      const one = await request(`${on.sut.url}/api/purchases`, "POST", JSON.stringify({ concertId: "bench-timeline", fan: { id: "fan-one", email: "one@example.com" }, tier: "standard", quantity: 1 }));
      const { purchaseId } = JSON.parse(one.text) as { purchaseId: string };
      const timeline = await until(
        () => request(`${on.sut.url}/api/purchases/${purchaseId}/timeline`, "GET"),
        (t) => t.status === 200 && (JSON.parse(t.text) as { hops: { kind: string; by?: string }[] }).hops.some((h) => h.kind === "handled" && h.by === "email"),
        30_000,
      );
      const hops = (JSON.parse(timeline.text) as { hops: unknown[] }).hops.length;

      for (const side of [off, on]) side.latencies.sort((a, b) => a - b);
      const at = `${CONCURRENCY} in flight, ${ROUNDS * PER_ROUND} purchases, alternating rounds`;
      return [
        { suite, name: `POST -> completed p50 with the timeline (${at})`, value: round1(percentile(on.latencies, 50)), unit: "ms", baseline: { name: off.label, value: round1(percentile(off.latencies, 50)) } },
        { suite, name: `POST -> completed p99 with the timeline (${at})`, value: round1(percentile(on.latencies, 99)), unit: "ms", baseline: { name: off.label, value: round1(percentile(off.latencies, 99)) } },
        { suite, name: "hops written for one purchase", value: hops, unit: "hops" },
      ];
    } finally {
      closeClient();
      await Promise.allSettled([off.sut.close(), on.sut.close()]);
    }
  },
};
