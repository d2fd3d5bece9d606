/**
 * The open-loop load of the benches: arrivals on a fixed schedule (not a fixed concurrency), and the flash sale's
 * fan mix, which must be the same every run and the same in any prefix of a run.
 */
import { describe, expect, it } from "vitest";
import { arrivalSchedule, beforeDeadline, fanOrder, runOpenLoop } from "../../bench/open-loop.js";

describe("arrivalSchedule", () => {
  it("spaces arrivals evenly at the rate asked, starting at 0", () => {
    expect(arrivalSchedule(5, 200)).toEqual([0, 5, 10, 15, 20]);
    expect(arrivalSchedule(3, 10)).toEqual([0, 100, 200]);
    expect(arrivalSchedule(0, 10)).toEqual([]);
  });

  it("puts 20,000 fans at 200/s within 100 s", () => {
    const s = arrivalSchedule(20_000, 200);
    expect(s).toHaveLength(20_000);
    expect(s[s.length - 1]).toBeCloseTo(99_995, 6);
  });

  it("refuses a rate or a count that makes no schedule", () => {
    expect(() => arrivalSchedule(10, 0)).toThrow(RangeError);
    expect(() => arrivalSchedule(10, Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => arrivalSchedule(-1, 10)).toThrow(RangeError);
    expect(() => arrivalSchedule(1.5, 10)).toThrow(RangeError);
  });
});

describe("runOpenLoop", () => {
  it("starts the next arrival on time even when earlier tasks have not finished (open, not closed, loop)", async () => {
    const started: number[] = [];
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const t0 = performance.now();
    const run = runOpenLoop([0, 20, 40], async (i) => {
      started.push(i);
      if (i === 0) await blocked; // the first fan's request hangs
    });
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(started).toEqual([0, 1, 2]);
    release();
    const { seconds } = await run;
    expect(seconds).toBeGreaterThanOrEqual(0.035);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(40);
  });
});

describe("fanOrder", () => {
  it("is the same for the same fan every time", () => {
    const orders = () => Array.from({ length: 50 }, (_, i) => fanOrder(i));
    expect(orders()).toEqual(orders());
  });

  it("asks VIP about one time in five and 1 to 4 tickets, mostly 1 or 2, in any 2,000 fans", () => {
    for (const from of [0, 18_000]) {
      const orders = Array.from({ length: 2_000 }, (_, i) => fanOrder(from + i));
      const vip = orders.filter((o) => o.tier === "vip").length / orders.length;
      expect(vip).toBeGreaterThan(0.15);
      expect(vip).toBeLessThan(0.25);
      const byQuantity = [1, 2, 3, 4].map((q) => orders.filter((o) => o.quantity === q).length / orders.length);
      expect(byQuantity.every((share) => share > 0.05)).toBe(true);
      expect(byQuantity[0] + byQuantity[1]).toBeGreaterThan(0.6);
      expect(orders.every((o) => o.quantity >= 1 && o.quantity <= 4)).toBe(true);
    }
  });
});

describe("beforeDeadline", () => {
  it("gives the value when it comes in time, and undefined when the deadline passes first", async () => {
    expect(await beforeDeadline(Promise.resolve(7), Date.now() + 1_000)).toBe(7);
    const never = new Promise<number>(() => {});
    expect(await beforeDeadline(never, Date.now() + 20)).toBeUndefined();
  });

  it("passes a failure on", async () => {
    await expect(beforeDeadline(Promise.reject(new Error("refused")), Date.now() + 1_000)).rejects.toThrow("refused");
  });
});
