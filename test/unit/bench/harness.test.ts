/** The bench harness' small helpers that figures depend on. */
import { describe, expect, it } from "vitest";
import { percentile, timestampMs } from "../../bench/harness.js";

describe("timestampMs", () => {
  it("keeps the milliseconds of a Timestamp the Tables SDK hands over as a Date", () => {
    const at = new Date("2026-12-07T16:48:43.513Z");
    expect(timestampMs(at)).toBe(Date.parse("2026-12-07T16:48:43.513Z"));
  });

  it("reads a Timestamp given as a string, with Azure's seven fractional digits", () => {
    expect(timestampMs("2026-12-07T16:48:43.5130000Z")).toBe(Date.parse("2026-12-07T16:48:43.513Z"));
  });

  it("gives NaN for what is not a Timestamp", () => {
    expect(timestampMs(undefined)).toBeNaN();
  });
});

describe("percentile", () => {
  it("takes the nearest rank of sorted values", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([], 99)).toBeNaN();
  });
});
