import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EmulatorClock } from "../../../emulator/common/clock.js";

describe("EmulatorClock", () => {
  const clock = new EmulatorClock();
  afterEach(() => clock.dispose());

  it("runs with wall time until moved", () => {
    const before = Date.now();
    const now = clock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now - Date.now()).toBeLessThanOrEqual(clock.offset + 5);
  });

  it("fires due timers in due order when advanced, and not before", () => {
    const fired: string[] = [];
    clock.setTimer(30_000, () => fired.push("30s"));
    clock.setTimer(10_000, () => fired.push("10s"));
    clock.setTimer(60_000, () => fired.push("60s"));
    clock.advance(29_000);
    expect(fired).toEqual(["10s"]);
    clock.advance(1_000);
    expect(fired).toEqual(["10s", "30s"]);
    clock.advance(100_000);
    expect(fired).toEqual(["10s", "30s", "60s"]);
  });

  it("fires timers that a firing timer schedules inside the advanced window", () => {
    const fired: number[] = [];
    clock.setTimer(1_000, () => {
      fired.push(1);
      clock.setTimer(1_000, () => fired.push(2));
    });
    clock.advance(5_000);
    expect(fired).toEqual([1, 2]);
  });

  it("does not fire a cancelled timer", () => {
    let fired = false;
    const t = clock.setTimer(1_000, () => (fired = true));
    t.cancel();
    clock.advance(2_000);
    expect(fired).toBe(false);
  });

  it("fires on wall time too", async () => {
    const done = new Promise<number>((resolve) => clock.setTimer(20, () => resolve(clock.now())));
    const start = clock.now();
    expect((await done) - start).toBeGreaterThanOrEqual(19);
  });

  it("refuses to move backwards", () => {
    expect(() => clock.advance(-1)).toThrow(RangeError);
  });
});

describe("EmulatorClock over long jumps", () => {
  let clock: EmulatorClock;
  beforeEach(() => {
    clock = new EmulatorClock();
  });
  afterEach(() => clock.dispose());
  const CENTURY = 36_500 * 86_400_000;

  it("fires 50,000 due timers in due order in time that follows their number", () => {
    const fired: number[] = [];
    const base = clock.now();
    for (let i = 0; i < 50_000; i++) {
      const due = (i * 7919) % 50_000;
      clock.setTimerAt(base + 1000 + due, () => fired.push(due));
    }
    const started = performance.now();
    clock.advance(60_000);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(fired).toHaveLength(50_000);
    expect(fired.every((d, i) => i === 0 || fired[i - 1] <= d)).toBe(true);
  });

  it("runs a repeating sweep twice over a century, not once per period skipped", () => {
    const runs: number[] = [];
    clock.setRepeating(60_000, () => runs.push(clock.now()));
    const target = clock.now() + CENTURY;
    clock.advance(CENTURY);
    expect(runs).toHaveLength(2);
    expect(runs[1]).toBeGreaterThanOrEqual(target);
    clock.advance(60_000);
    expect(runs).toHaveLength(3);
  });

  it("refuses an advance of more than a century, or one past the year 9999", () => {
    expect(() => clock.advance(36_526 * 86_400_000)).toThrow(/century/);
    expect(() => clock.advance(1e308)).toThrow(RangeError);
    expect(() => clock.advance(Number.NaN)).toThrow(RangeError);
    const latest = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
    while (latest - clock.now() > CENTURY) clock.advance(CENTURY);
    expect(() => clock.advance(CENTURY)).toThrow(/9999/);
  });

  it("yields to I/O between slices of a sliced advance", async () => {
    for (let i = 0; i < 200_000; i++) clock.setTimer(1000 + i, () => undefined);
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    await clock.advanceInSlices(300_000);
    clearInterval(ticker);
    expect(clock.pending).toBe(0);
    expect(turns).toBeGreaterThan(1);
  });

  it("leaves timers that I/O creates during a sliced advance until it ends, so polling is not replayed", async () => {
    let polls = 0;
    const poll = () => {
      polls++;
      // A client answering each response with its next long poll, as a Kafka consumer does.
      clock.setTimer(5000, () => setImmediate(poll));
    };
    poll();
    for (let i = 0; i < 100_000; i++) clock.setTimer(1000 + i, () => undefined);
    await clock.advanceInSlices(CENTURY);
    expect(polls).toBeLessThan(100);
  });

  it("tells listeners the new offset when it moves", () => {
    const seen: number[] = [];
    const stop = clock.onMove((offset) => seen.push(offset));
    clock.advance(5000);
    stop();
    clock.advance(5000);
    expect(seen).toEqual([clock.offset - 5000]);
  });
});
