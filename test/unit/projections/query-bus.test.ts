import { describe, expect, it } from "vitest";
import { QueryBus, UnknownQueryError } from "../../../src/queries/query-bus.js";

type Queries = { Counter: { params: { id: string }; result: { id: string } } };

/** A bus on a fake clock: each pause moves it; `versions` is what the read model shows on each ask. */
function busOver(versions: (number | undefined)[]) {
  let now = 0;
  const pauses: number[] = [];
  let asks = 0;
  const bus = new QueryBus<Queries>({ maxWaitMs: 1_000, now: () => now, sleep: async (ms) => void (pauses.push(ms), (now += ms)) });
  bus.register("Counter", async ({ id }) => {
    const version = versions[Math.min(asks++, versions.length - 1)];
    return version === undefined ? undefined : { version, data: { id } };
  });
  return { bus, pauses, asks: () => asks };
}

describe("QueryBus (read-your-writes)", () => {
  it("answers at once without minVersion, and when the read model already has it", async () => {
    const { bus, asks } = busOver([3]);
    expect(await bus.ask("Counter", { id: "a" })).toEqual({ found: true, version: 3, data: { id: "a" }, stale: false, waitedMs: 0 });
    expect(await bus.ask("Counter", { id: "a" }, { minVersion: 3 })).toMatchObject({ found: true, version: 3, stale: false });
    expect(asks()).toBe(2);
  });

  it("asks again, with growing pauses, until the read model reaches minVersion", async () => {
    const { bus, pauses } = busOver([undefined, 1, 1, 2]);
    expect(await bus.ask("Counter", { id: "a" }, { minVersion: 2 })).toEqual({ found: true, version: 2, data: { id: "a" }, stale: false, waitedMs: 70 });
    expect(pauses).toEqual([10, 20, 40]);
  });

  it("gives up after the longest wait with what it has, marked stale (or nothing, stale)", async () => {
    const { bus, pauses } = busOver([1]);
    expect(await bus.ask("Counter", { id: "a" }, { minVersion: 2 })).toEqual({ found: true, version: 1, data: { id: "a" }, stale: true, waitedMs: 1_000 });
    expect(Math.max(...pauses)).toBe(250);
    expect(await busOver([undefined]).bus.ask("Counter", { id: "b" }, { minVersion: 1, maxWaitMs: 100 })).toEqual({ found: false, stale: true, waitedMs: 100 });
    expect(await busOver([undefined]).bus.ask("Counter", { id: "b" })).toEqual({ found: false, stale: false, waitedMs: 0 });
  });

  it("has one handler per query", async () => {
    const bus = new QueryBus<Queries>();
    await expect(bus.ask("Counter", { id: "a" })).rejects.toThrow(UnknownQueryError);
    bus.register("Counter", async () => undefined);
    expect(() => bus.register("Counter", async () => undefined)).toThrow(/already has a handler/);
  });
});
