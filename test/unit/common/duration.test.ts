import { describe, expect, it } from "vitest";
import { formatIsoDuration, parseIsoDuration } from "../../../emulator/common/duration.js";

describe("ISO 8601 durations", () => {
  it.each([
    ["PT1M", 60_000],
    ["PT30S", 30_000],
    ["PT0.5S", 500],
    ["PT1H", 3_600_000],
    ["P1D", 86_400_000],
    ["P1DT2H3M4S", 93_784_000],
    ["P2W", 14 * 86_400_000],
  ])("parses %s", (text, ms) => expect(parseIsoDuration(text)).toBe(ms));

  it.each(["", "P", "PT", "1M", "PT1X", "P1H", "PT-1S"])("refuses %j", (text) => expect(parseIsoDuration(text)).toBeUndefined());

  it.each([
    [60_000, "PT1M"],
    [86_400_000, "P1D"],
    [500, "PT0.5S"],
    [93_784_000, "P1DT2H3M4S"],
    [0, "PT0S"],
  ])("formats %d ms as %s", (ms, text) => expect(formatIsoDuration(ms)).toBe(text));
});
