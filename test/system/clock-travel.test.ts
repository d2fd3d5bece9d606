/**
 * Time travel on the whole local system: `POST /emulator/clock/advance` by a day, a year and a century. Each
 * advance must answer within a second (however much time it skips), and the system must still complete a new
 * purchase afterwards. The reservation timeout is short (two minutes), so an app whose `now` lagged behind the
 * emulator's would see its ReservationExpired message fall due at once and cancel every purchase.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fan, TicketingClient } from "./purchase-client.js";
import { type SystemUnderTest, startSystemUnderTest } from "./system-under-test.js";

const DAY = 86_400_000;
const YEAR = 365 * DAY;

let sut: SystemUnderTest;
let api: TicketingClient;
beforeAll(async () => {
  sut = await startSystemUnderTest({ settings: { Purchase__reservationTimeout: "PT2M" } });
  api = new TicketingClient(sut);
}, 60_000);
afterAll(() => sut?.close());

async function emulatorNow(): Promise<number> {
  const res = await fetch(`${sut.system.emulator.http.url}/emulator/clock`);
  return Date.parse(((await res.json()) as { now: string }).now);
}

async function buyTickets(): Promise<Record<string, unknown>> {
  // A month after the app's now, which the advance moved: a fixed future date would be in the past by then.
  const startsAt = new Date((await emulatorNow()) + 30 * DAY).toISOString();
  const concert = await api.scheduleConcert({ capacity: { standard: 10, vip: 0 }, startsAt });
  const res = await api.placePurchase({ concertId: concert.concertId, fan: fan(), tier: "standard", quantity: 2 });
  expect(res.status).toBe(202);
  return api.outcome(res.body.purchaseId as string, 30_000);
}

describe("moving the clock forward", () => {
  it.each([
    ["a day", DAY],
    ["a year", YEAR],
    ["a century", 100 * YEAR],
  ])("answers within a second for %s, and a new purchase still completes", async (_name, ms) => {
    const before = await emulatorNow();
    const started = performance.now();
    await sut.advanceClock(ms);
    expect(performance.now() - started).toBeLessThan(1000);
    const after = await emulatorNow();
    expect(after - before).toBeGreaterThanOrEqual(ms);

    const done = await buyTickets();
    expect(done).toMatchObject({ status: "completed" });
    expect(done.ticketIds).toHaveLength(2);
  }, 60_000);
});
