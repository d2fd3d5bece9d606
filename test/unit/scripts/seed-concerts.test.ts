/**
 * The concerts `npm start` seeds are on sale whenever it is started: they start after the day it runs (the API
 * refuses a concert in the past and sells nothing once one has started).
 */
import { describe, expect, it } from "vitest";
import { seedConcertsFrom } from "../../../scripts/local-system/seed-concerts.js";

describe("the seeded concerts", () => {
  it("start a month after today, whatever today is", () => {
    for (const today of [new Date(), new Date("2031-12-31T23:59:00Z")]) {
      const concerts = seedConcertsFrom(today);
      expect(concerts.map((c) => c.concertId)).toEqual(["opening-night", "closing-night"]);
      for (const c of concerts) {
        const days = (Date.parse(c.startsAt) - today.getTime()) / 86_400_000;
        expect(days, c.startsAt).toBeGreaterThan(28);
        expect(days, c.startsAt).toBeLessThan(34);
      }
    }
  });
});
