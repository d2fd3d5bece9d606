import { afterEach, describe, expect, it } from "vitest";
import { EmulatorClock } from "../../../emulator/common/clock.js";
import { DueQueue } from "../../../emulator/servicebus/model/due-queue.js";

describe("DueQueue", () => {
  const clock = new EmulatorClock();
  afterEach(() => clock.dispose());

  it("fires every key once, in due order, when the clock passes its time", () => {
    const fired: [number, number][] = [];
    const due = new DueQueue<number>(clock, (key, at) => fired.push([key, at]));
    const start = clock.now();
    // Pseudo-random due times with repeats, pushed out of order.
    const offsets = Array.from({ length: 500 }, (_, i) => ((i * 7919) % 997) + 10);
    offsets.forEach((offset, key) => due.push(start + offset, key));
    // To start + 500 exactly: pushing may take a millisecond or more on a loaded machine.
    clock.advance(Math.max(0, start + 500 - clock.now()));
    expect(fired.every(([, at]) => at <= start + 500)).toBe(true);
    clock.advance(1000);
    expect(fired).toHaveLength(500);
    expect(fired.map(([, at]) => at)).toEqual(offsets.map((o) => start + o).sort((a, b) => a - b));
    expect(new Set(fired.map(([key]) => key)).size).toBe(500);
    expect(due.size).toBe(0);
  });

  it("lets a key that fell due push itself again (a renewed lock)", () => {
    const fired: string[] = [];
    const due: DueQueue<string> = new DueQueue<string>(clock, (key, at) => {
      fired.push(key);
      if (fired.length < 3) due.push(at + 100, key);
    });
    due.push(clock.now() + 100, "lock");
    clock.advance(1000);
    expect(fired).toEqual(["lock", "lock", "lock"]);
  });

  it("is rebuilt from the live entries once stale ones outnumber them", () => {
    const fired: number[] = [];
    const due = new DueQueue<number>(clock, (key) => fired.push(key));
    for (let i = 0; i < 3000; i++) due.push(clock.now() + 10 + i, i);
    expect(due.outgrew(10)).toBe(true);
    due.rebuild([{ at: clock.now() + 5, key: -1 }]);
    expect(due.size).toBe(1);
    clock.advance(10_000);
    expect(fired).toEqual([-1]);
  });

  it("works through a large backlog in slices, with I/O in between, when the clock advances in slices", async () => {
    const sliced = new EmulatorClock();
    let turns = 0;
    let spinning = true;
    const spin = () => {
      turns++;
      if (spinning) setImmediate(spin);
    };
    const seenAtTurn: number[] = [];
    const due = new DueQueue<number>(sliced, () => {
      seenAtTurn.push(turns);
      // Each expiry costs a little, as a dead-lettering one does.
      const until = performance.now() + 0.05;
      while (performance.now() < until);
    });
    for (let i = 0; i < 5000; i++) due.push(sliced.now() + 10, i);
    setImmediate(spin);
    await sliced.advanceInSlices(1000);
    spinning = false;
    sliced.dispose();
    expect(seenAtTurn).toHaveLength(5000);
    expect(new Set(seenAtTurn).size).toBeGreaterThan(2);
  });
});
