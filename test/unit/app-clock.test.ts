import { afterEach, describe, expect, it } from "vitest";
import { CLOCK_OFFSET_SETTING, currentTime, nowMs } from "../../src/clock.js";
import { CLOCK_OFFSET_SETTING as HOST_SETTING } from "../../emulator/functions-host/ipc-messages.js";

describe("the app's clock", () => {
  afterEach(() => {
    delete process.env[CLOCK_OFFSET_SETTING];
  });

  it("is wall time when no offset is set, as under Azure", () => {
    const before = Date.now();
    const now = currentTime().getTime();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it("runs the local host's offset ahead of wall time, and follows it when it changes", () => {
    process.env[CLOCK_OFFSET_SETTING] = String(86_400_000);
    expect(nowMs() - Date.now()).toBeGreaterThanOrEqual(86_400_000 - 5);
    process.env[CLOCK_OFFSET_SETTING] = String(2 * 86_400_000);
    expect(currentTime().getTime() - Date.now()).toBeGreaterThanOrEqual(2 * 86_400_000 - 5);
  });

  it("ignores an offset that is not a number", () => {
    process.env[CLOCK_OFFSET_SETTING] = "soon";
    expect(Math.abs(nowMs() - Date.now())).toBeLessThan(50);
  });

  it("reads the very setting the local Functions host writes", () => {
    expect(CLOCK_OFFSET_SETTING).toBe(HOST_SETTING);
  });
});
