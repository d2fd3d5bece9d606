/**
 * The circuit breaker around the ticketing provider, end to end under the local host. The provider is a real HTTP
 * server in this test (TicketingProvider__baseUrl points at it) that counts what reaches it: it answers as the
 * simulated provider does, or 503 while it is "down". Purchases are placed while it is down; it comes back a few
 * seconds later. What a user would check: every purchase ends completed, no command is dead-lettered, and while the
 * circuit was open the provider received only the half-open probes (at most one per half-open period), which the
 * purchases' timelines show with their `circuit` and `deferred` hops.
 *
 * The app's worker runs on real time (cockatiel reads Date.now(); the emulator's clock moves only the emulator's
 * timers), so this file keeps the breaker's durations short instead of moving a clock; the unit tests of the policy
 * (test/unit/services/provider-circuit-breaker.test.ts) move a fake clock.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedTicketingProvider } from "../../src/services/ticketing-provider/simulated-ticketing-provider.js";
import { fan, type Json, TicketingClient } from "./purchase-client.js";
import { type SystemUnderTest, startSystemUnderTest, until } from "./system-under-test.js";

const KEY = "breaker-test-key";
const FAILURES = 3;
const HALF_OPEN_AFTER_MS = 2_000;

/** The third-party provider on a free port: up (the simulated provider's answers) or down (503); requests timed. */
async function startProvider() {
  const simulated = new SimulatedTicketingProvider();
  const state = { down: false, requests: [] as { at: number; down: boolean }[] };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      state.requests.push({ at: Date.now(), down: state.down });
      if (state.down) {
        const body = { status: 503, title: "Service Unavailable", detail: "down for maintenance" };
        res.writeHead(503, { "content-type": "application/problem+json" }).end(JSON.stringify(body));
        return;
      }
      const body: unknown = JSON.parse(Buffer.concat(chunks).toString() || "null");
      void simulated.handle({ method: req.method ?? "POST", body }).then((answer) => {
        res.writeHead(answer.status, answer.headers).end(JSON.stringify(answer.body));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    state,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

let provider: Awaited<ReturnType<typeof startProvider>>;
let sut: SystemUnderTest;
let api: TicketingClient;
beforeAll(async () => {
  provider = await startProvider();
  sut = await startSystemUnderTest({
    settings: {
      "host.function.default": KEY,
      TicketingProvider__baseUrl: provider.url,
      TicketingProvider__breakerFailures: String(FAILURES),
      TicketingProvider__breakerHalfOpenAfter: `PT${HALF_OPEN_AFTER_MS / 1000}S`,
      TicketingProvider__attemptTimeout: "PT2S",
    },
  });
  api = new TicketingClient(sut);
}, 60_000);
afterAll(async () => {
  await sut?.close();
  await provider?.close();
});

const timeline = async (purchaseId: string): Promise<Json[]> => {
  const res = await api.request("GET", `/api/purchases/${purchaseId}/timeline`);
  return res.status === 200 ? (res.body.hops as Json[]) : [];
};

describe("the ticketing provider's circuit breaker", () => {
  it("sends a provider that is down only the half-open probes; every purchase completes once it is back", async () => {
    const concert = await api.scheduleConcert({ capacity: { standard: 100, vip: 0 } });
    provider.state.down = true;
    const placed = await Promise.all(
      [1, 2, 3, 4].map(() =>
        api.placePurchase({ concertId: concert.concertId, fan: fan(), tier: "standard", quantity: 1 }),
      ),
    );
    expect(placed.map((p) => p.status)).toEqual([202, 202, 202, 202]);
    const ids = placed.map((p) => p.body.purchaseId as string);

    // The circuit opens after FAILURES failed attempts: every command waits, deferred to the half-open time.
    const deferredAll = await until(
      () => Promise.all(ids.map(timeline)),
      (all) => all.every((hops) => hops.some((h) => h.kind === "deferred")),
      20_000,
    );
    const opened = deferredAll.flat().filter((h) => h.kind === "circuit" && h.circuit === "open");
    expect(opened.length).toBeGreaterThan(0);
    const openedAt = Math.min(...opened.map((h) => Date.parse(h.at)));
    expect(deferredAll.flat().find((h) => h.kind === "deferred")).toMatchObject({
      circuit: "open",
      name: "IssueTickets",
      retryAt: expect.any(String),
      detail: expect.stringMatching(/circuit is open: sent again as .*~deferred-1, due /),
    });

    // Down for a while longer: a few half-open periods.
    await new Promise((resolve) => setTimeout(resolve, 3 * HALF_OPEN_AFTER_MS));
    provider.state.down = false;
    const upAt = Date.now();

    for (const id of ids) {
      expect(await api.outcome(id, 30_000)).toMatchObject({ status: "completed" });
    }

    // Before the circuit opened: the failures that opened it (FAILURES, plus attempts already on their way).
    const whileDown = provider.state.requests.filter((r) => r.down);
    const beforeOpen = whileDown.filter((r) => r.at <= openedAt);
    expect(beforeOpen.length).toBeGreaterThanOrEqual(FAILURES);
    // While it was open: only probes, one per half-open period at most (a failed probe opens it for another period).
    const probes = whileDown.filter((r) => r.at > openedAt);
    expect(probes.length).toBeLessThanOrEqual(Math.floor((upAt - openedAt) / HALF_OPEN_AFTER_MS) + 1);
    for (let i = 1; i < probes.length; i++) {
      expect(probes[i].at - probes[i - 1].at).toBeGreaterThanOrEqual(HALF_OPEN_AFTER_MS - 50);
    }
    // Once up: each purchase's tickets issued, one request each (the probe that closed the circuit among them).
    expect(provider.state.requests.filter((r) => !r.down)).toHaveLength(ids.length);

    // Nothing dead-lettered by the breaker; the timelines show the probe and the circuit closing.
    const deadLetters = await api.request(
      "GET",
      "/api/ops/dead-letters?entity=commands/subscriptions/ticketing-provider",
      undefined,
      { "x-functions-key": KEY },
    );
    expect(deadLetters.status).toBe(200);
    expect(deadLetters.body.count).toBe(0);
    const after = await until(
      () => Promise.all(ids.map(timeline)),
      (all) => all.flat().some((h) => h.kind === "circuit" && h.circuit === "closed"),
    );
    const states = after
      .flat()
      .filter((h) => h.kind === "circuit")
      .sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
      .map((h) => h.circuit);
    expect(states[0]).toBe("open");
    expect(states).toContain("half-open");
    expect(states.at(-1)).toBe("closed");
  }, 90_000);
});
