/**
 * The concerts `npm start` schedules once the host is up, through the public API (POST /api/concerts, then GET until
 * the concerts handler has written them), so a new user can buy tickets right away. Scheduling the same concert
 * again (a restart with --data-dir) changes nothing: the API answers 202 without sending a second command.
 */
export interface SeededConcert {
  concertId: string;
  name: string;
  venue: string;
  startsAt: string;
  prices: { standard: number; vip: number };
  ticketsLeft: { standard: number; vip: number };
}

export const SEED_CONCERTS = [
  {
    concertId: "opening-night",
    name: "Opening Night",
    venue: "Main Stage",
    startsAt: "2026-07-03T19:00:00Z",
    capacity: { standard: 500, vip: 50 },
    prices: { standard: 4_500, vip: 15_000 },
  },
  {
    concertId: "closing-night",
    name: "Closing Night",
    venue: "Lakeside Stage",
    startsAt: "2026-07-05T20:30:00Z",
    capacity: { standard: 300, vip: 20 },
    prices: { standard: 5_500, vip: 18_000 },
  },
] as const;

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

export async function seedConcerts(functionsUrl: string, timeoutMs = 60_000): Promise<SeededConcert[]> {
  const seeded: SeededConcert[] = [];
  for (const concert of SEED_CONCERTS) {
    const res = await fetch(`${functionsUrl}/api/concerts`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(concert) });
    const text = await res.text();
    if (res.status !== 202) throw new Error(`Seeding concert ${concert.concertId}: POST /api/concerts answered ${res.status}: ${text}`);
    seeded.push(await waitForConcert(`${functionsUrl}${res.headers.get("location")}`, timeoutMs));
  }
  return seeded;
}

export function describeConcert(c: SeededConcert): string {
  const money = (cents: number) => (cents / 100).toFixed(2);
  return `${c.concertId}: ${c.name}, ${c.venue}, ${c.startsAt}; standard ${c.ticketsLeft.standard} left at ${money(c.prices.standard)}, vip ${c.ticketsLeft.vip} left at ${money(c.prices.vip)}`;
}
