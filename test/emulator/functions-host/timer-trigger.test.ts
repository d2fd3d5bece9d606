import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmulatorClock } from "../../../emulator/common/clock.js";
import { startFixtureHost, type FixtureHost } from "./start-fixture-host.js";

interface TimerRun {
  functionName: string;
  retryCount?: number;
  timer: { isPastDue: boolean; schedule: { adjustForDST: boolean }; scheduleStatus: { last: string; next: string; lastUpdated: string } | null };
}

const FIVE_MINUTES = 5 * 60_000;
const nextFiveMinuteBoundary = (t: number) => Math.floor(t / FIVE_MINUTES) * FIVE_MINUTES + FIVE_MINUTES;

const clock = new EmulatorClock();
let host: FixtureHost;
beforeAll(async () => {
  // The clock also runs at wall speed: start just past an occurrence so that none falls due by itself mid-test.
  clock.advance(nextFiveMinuteBoundary(clock.now()) + 1000 - clock.now());
  host = await startFixtureHost({ clock });
});
afterAll(() => host?.close());

async function timerRuns(name: string): Promise<TimerRun[]> {
  const seen = (await (await fetch(`${host.url}/api/inspect`)).json()) as { timerRuns: TimerRun[] };
  return seen.timerRuns.filter((r) => r.functionName === name);
}

/** Moves the clock to `at` (ms since the epoch). */
function advanceTo(at: number): void {
  clock.advance(Math.max(0, at - clock.now()));
}

describe("timer trigger on the emulator clock", () => {
  it("runs a runOnStartup function once at start, not past due", async () => {
    await host.nextInvocation("warmup-on-start", 0);
    const runs = await timerRuns("warmup-on-start");
    expect(runs).toHaveLength(1);
    expect(runs[0].timer.isPastDue).toBe(false);
    expect(runs[0].timer.schedule).toEqual({ adjustForDST: true });
  });

  it("fires a %Setting% NCRONTAB schedule with seconds at each occurrence, with the schedule status", async () => {
    const first = nextFiveMinuteBoundary(clock.now());
    let next = host.nextInvocation("cleanup");
    advanceTo(first);
    expect(await next).toMatchObject({ functionName: "cleanup", trigger: "timerTrigger", outcome: "succeeded" });

    next = host.nextInvocation("cleanup");
    advanceTo(first + FIVE_MINUTES);
    await next;

    const runs = await timerRuns("cleanup");
    expect(runs).toHaveLength(2);
    expect(runs[0].timer.isPastDue).toBe(false);
    expect(runs[0].timer.scheduleStatus?.last).toBe("0001-01-01T00:00:00");
    expect(runs[0].timer.scheduleStatus?.next).toBe(new Date(first + FIVE_MINUTES).toISOString());
    expect(runs[1].timer.scheduleStatus?.last).toBe(new Date(first).toISOString());
    expect(runs[1].timer.scheduleStatus?.next).toBe(new Date(first + 2 * FIVE_MINUTES).toISOString());
  });

  it("does not fire before the next occurrence", async () => {
    const before = (await timerRuns("cleanup")).length;
    const due = nextFiveMinuteBoundary(clock.now());
    advanceTo(due - 1000);
    // Give a wrongly armed timer the chance to run through the worker before checking.
    await fetch(`${host.url}/api/inspect`);
    expect(await timerRuns("cleanup")).toHaveLength(before);
    const next = host.nextInvocation("cleanup");
    advanceTo(due);
    await next;
    expect(await timerRuns("cleanup")).toHaveLength(before + 1);
  });

  it("runs every occurrence the clock passes over, one after another, each with its own schedule status", async () => {
    const before = (await timerRuns("cleanup")).length;
    const after = host.invocations.length;
    const due = nextFiveMinuteBoundary(clock.now());
    const third = host.nextInvocation("cleanup", after).then(() => host.nextInvocation("cleanup", after + 1)).then((r) => host.nextInvocation("cleanup", host.invocations.indexOf(r) + 1));
    clock.advance(due + 2 * FIVE_MINUTES - clock.now() + 1000);
    await third;
    const runs = (await timerRuns("cleanup")).slice(before);
    expect(runs.map((r) => r.timer.scheduleStatus?.last)).toEqual([due - FIVE_MINUTES, due, due + FIVE_MINUTES].map((t) => new Date(t).toISOString()));
    expect(runs.map((r) => r.timer.isPastDue)).toEqual([false, false, false]);
  });

  it("runs the first occurrence plus a backlog of 10 when the clock jumps a day, then reports the next run as past due", async () => {
    const before = (await timerRuns("cleanup")).length;
    let waited = host.nextInvocation("cleanup");
    for (let i = 1; i < 11; i++) waited = waited.then((r) => host.nextInvocation("cleanup", host.invocations.indexOf(r) + 1));
    clock.advance(24 * 60 * 60_000);
    await waited;
    expect((await timerRuns("cleanup")).length - before).toBe(11);

    const pastDue = host.nextInvocation("cleanup");
    clock.advance(FIVE_MINUTES);
    await pastDue;
    const runs = await timerRuns("cleanup");
    expect(runs).toHaveLength(before + 12);
    expect(runs.at(-1)?.timer.isPastDue).toBe(true);
  });

  it("retries a failing run with the function's fixedDelay policy on the clock", async () => {
    const after = host.invocations.length;
    const res = await fetch(`${host.url}/admin/functions/flaky`, { method: "POST", body: "{}", headers: { "content-type": "application/json", "x-functions-key": "fixture-master-key" } });
    expect(res.status).toBe(202);
    expect(await host.nextInvocation("flaky", after)).toMatchObject({ outcome: "failed" });

    const retried = host.nextInvocation("flaky", after + 1);
    clock.advance(30_000);
    expect(await retried).toMatchObject({ outcome: "succeeded" });
    expect((await timerRuns("flaky")).map((r) => r.retryCount)).toEqual([0, 1]);
  });

  it("requires the master key for the admin endpoint when one is configured", async () => {
    const res = await fetch(`${host.url}/admin/functions/cleanup`, { method: "POST", body: "{}" });
    expect(res.status).toBe(401);
  });
});
