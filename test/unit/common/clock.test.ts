import { afterEach, describe, expect, it } from "vitest";
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
