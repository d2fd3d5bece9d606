import { describe, expect, it } from "vitest";
import { parseTimerSchedule } from "../../../emulator/functions-host/triggers/timer-schedule.js";

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe("timer schedules (NCRONTAB with seconds, TimeSpan)", () => {
  it("evaluates six-field expressions with a seconds field", () => {
    const every15s = parseTimerSchedule("*/15 * * * * *");
    expect(iso(every15s.next(at("2026-03-01T10:00:07Z")))).toBe("2026-03-01T10:00:15.000Z");
    const weekdays930 = parseTimerSchedule("0 30 9 * * 1-5");
    expect(iso(weekdays930.next(at("2026-03-06T09:30:00Z")))).toBe("2026-03-09T09:30:00.000Z"); // Fri -> Mon
  });

  it("returns the occurrence strictly after the given time", () => {
    const s = parseTimerSchedule("0 */5 * * * *");
    expect(iso(s.next(at("2026-03-01T10:05:00Z")))).toBe("2026-03-01T10:10:00.000Z");
  });

  it("requires both day fields to match when both are restricted, as NCrontab does", () => {
    // The 13th that is a Friday, not every 13th and every Friday.
    const s = parseTimerSchedule("0 0 0 13 * 5");
    expect(iso(s.next(at("2026-01-01T00:00:00Z")))).toBe("2026-02-13T00:00:00.000Z");
  });

  it("honours a time zone", () => {
    const s = parseTimerSchedule("0 0 9 * * *", "Europe/Paris");
    expect(iso(s.next(at("2026-01-15T00:00:00Z")))).toBe("2026-01-15T08:00:00.000Z");
  });

  it("accepts TimeSpan intervals", () => {
    expect(parseTimerSchedule("00:00:30").next(1000)).toBe(31_000);
    expect(parseTimerSchedule("1.02:00:00").next(0)).toBe(26 * 3_600_000);
  });

  it("rejects five-field cron and garbage with a message that shows the expected form", () => {
    expect(() => parseTimerSchedule("*/5 * * * *")).toThrow(/six-field NCRONTAB with seconds/);
    expect(() => parseTimerSchedule("0 0 25 * * *")).toThrow(/not a valid NCRONTAB expression/);
  });
});
