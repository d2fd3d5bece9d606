/**
 * The concerts `npm start` schedules once the host is up, through the public API (POST /api/concerts, then GET until
 * the concerts handler has written them), so a new user can buy tickets right away. Their dates are a month after
 * the start. Scheduling them again (a restart with --data-dir) changes nothing: the same day, the API answers 202
 * without sending a second command; a later day, 409 with the concert as first scheduled, which is kept.
 */
export interface SeededConcert {
  concertId: string;
  name: string;
  venue: string;
  startsAt: string;
  prices: { standard: number; vip: number };
  ticketsLeft: { standard: number; vip: number };
}

/** A day `days` after `now`'s date, at hh:mm UTC. */
function dayAfter(now: Date, days: number, hours: number, minutes: number): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + days, hours, minutes)).toISOString();
}

/**
 * The concerts to schedule, a month after `now`: the API refuses a concert in the past and sells no ticket once it
 * has started, so fixed dates would leave a new user with nothing to buy the day after they pass.
 */
export function seedConcertsFrom(now: Date) {
  return [
    {
      concertId: "opening-night",
      name: "Opening Night",
      venue: "Main Stage",
      startsAt: dayAfter(now, 30, 19, 0),
      capacity: { standard: 500, vip: 50 },
      prices: { standard: 4_500, vip: 15_000 },
    },
    {
      concertId: "closing-night",
      name: "Closing Night",
      venue: "Lakeside Stage",
      startsAt: dayAfter(now, 32, 20, 30),
      capacity: { standard: 300, vip: 20 },
      prices: { standard: 5_500, vip: 18_000 },
    },
  ];
}

async function waitForConcert(url: string, timeoutMs: number): Promise<SeededConcert> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(url);
    if (res.status === 200) return (await res.json()) as SeededConcert;
    await res.body?.cancel();
    if (Date.now() > deadline) throw new Error(`GET ${url} still answers ${res.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function seedConcerts(functionsUrl: string, timeoutMs = 60_000, now = new Date()): Promise<SeededConcert[]> {
  const seeded: SeededConcert[] = [];
  for (const concert of seedConcertsFrom(now)) {
    const body = JSON.stringify(concert);
    const headers = { "content-type": "application/json" };
    const res = await fetch(`${functionsUrl}/api/concerts`, { method: "POST", headers, body });
    const text = await res.text();
    // A restart with --data-dir on a later day: the concert was scheduled then, with that day's dates; keep it.
    const kept = res.status === 409 && text.includes("ConcertAlreadyScheduled");
    if (res.status !== 202 && !kept) {
      throw new Error(`Seeding concert ${concert.concertId}: POST /api/concerts answered ${res.status}: ${text}`);
    }
    const location = kept ? `/api/concerts/${concert.concertId}` : res.headers.get("location");
    seeded.push(await waitForConcert(`${functionsUrl}${location}`, timeoutMs));
  }
  return seeded;
}

export function describeConcert(c: SeededConcert): string {
  const money = (cents: number) => (cents / 100).toFixed(2);
  return `${c.concertId}: ${c.name}, ${c.venue}, ${c.startsAt}; standard ${c.ticketsLeft.standard} left at ${money(c.prices.standard)}, vip ${c.ticketsLeft.vip} left at ${money(c.prices.vip)}`;
}
