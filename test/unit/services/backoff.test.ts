import { describe, expect, it } from "vitest";
import { backoffDelay } from "../../../src/services/http/backoff.js";

describe("exponential backoff with jitter", () => {
  const options = { initialDelayMs: 100, multiplier: 2, maxDelayMs: 1_000 };

  it("doubles the cap with each retry up to the maximum", () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, options, () => 1))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it("draws each delay between half the cap and the cap", () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, options, () => 0))).toEqual([50, 100, 200, 400]);
    for (let n = 1; n <= 8; n++) {
      const cap = Math.min(1_000, 100 * 2 ** (n - 1));
      const delay = backoffDelay(n, options);
      expect(delay).toBeGreaterThanOrEqual(cap / 2);
      expect(delay).toBeLessThanOrEqual(cap);
    }
  });

  it("spreads callers that retry together", () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(3, options)));
    expect(delays.size).toBeGreaterThan(10);
  });

  it("refuses a retry number below 1", () => {
    expect(() => backoffDelay(0, options)).toThrow(RangeError);
  });
});
