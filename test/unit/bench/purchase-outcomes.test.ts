/** What the benches read from a pushed purchase outcome, and the flash sale's settings. */
import { describe, expect, it } from "vitest";
import { outcomeOf } from "../../bench/purchase-outcomes.js";
import { capacityOf, envCount } from "../../bench/flash-sale.js";

const completed = {
  specversion: "1.0",
  type: "MusicFest.Purchases.PurchaseCompleted.v1",
  time: "2026-12-07T16:00:00.250Z",
  data: { purchaseId: "p-1", concertId: "c-1", tier: "vip", quantity: 3, ticketIds: ["t1", "t2", "t3"] },
};

describe("outcomeOf", () => {
  it("reads a completed purchase, its tickets and its time, from an object, a string or bytes", () => {
    const at = Date.parse(completed.time);
    const expected = { purchaseId: "p-1", concertId: "c-1", state: "completed", tier: "vip", quantity: 3, tickets: 3 };
    expect(outcomeOf(completed)).toEqual({ ...expected, at });
    expect(outcomeOf(JSON.stringify(completed))).toEqual({ ...expected, at });
    expect(outcomeOf(Buffer.from(JSON.stringify(completed)))).toEqual({ ...expected, at });
  });

  it("reads a cancelled purchase with its reason and no tickets", () => {
    const data = { purchaseId: "p-2", concertId: "c-1", tier: "standard", quantity: 2, reason: "sold-out" };
    const cancelled = { type: "MusicFest.Purchases.PurchaseCancelled.v1", time: completed.time, data };
    const expected = { purchaseId: "p-2", state: "cancelled", tickets: 0, reason: "sold-out" };
    expect(outcomeOf(cancelled)).toMatchObject(expected);
  });

  it("ignores what is not a purchase outcome", () => {
    expect(outcomeOf({ type: "MusicFest.Purchases.PurchasePlaced.v2", data: { purchaseId: "p" } })).toBeUndefined();
    expect(outcomeOf({ type: completed.type, data: {} })).toBeUndefined();
  });
});

describe("flash sale settings", () => {
  it("splits the tickets 80% standard, 20% VIP, all of them", () => {
    expect(capacityOf(2_000)).toEqual({ standard: 1_600, vip: 400 });
    expect(capacityOf(7)).toEqual({ standard: 6, vip: 1 });
  });

  it("takes whole numbers from the environment, with the issue's defaults, and refuses anything else", () => {
    expect(envCount("FLASH_SALE_FANS", 20_000, {})).toBe(20_000);
    expect(envCount("FLASH_SALE_FANS", 20_000, { FLASH_SALE_FANS: "2000" })).toBe(2_000);
    expect(() => envCount("FLASH_SALE_FANS", 20_000, { FLASH_SALE_FANS: "lots" })).toThrow(/FLASH_SALE_FANS/);
    expect(() => envCount("FLASH_SALE_FANS", 20_000, { FLASH_SALE_FANS: "0" })).toThrow(/FLASH_SALE_FANS/);
  });
});
