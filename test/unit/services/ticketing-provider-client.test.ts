import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { SimulatedTicketingProvider } from "../../../src/services/ticketing-provider/simulated-ticketing-provider.js";
import {
  TicketingProviderClient,
  TicketingProviderRejectedError,
  TicketingProviderUnavailableError,
} from "../../../src/services/ticketing-provider/ticketing-provider-client.js";

const request = { purchaseId: "purchase-1", concertId: "concert-1", tier: "vip" as const, quantity: 1, fan: { id: "fan-1", email: "fan@example.com" } };
const servers: Server[] = [];

/** A real HTTP server on a free port answering with the simulated provider, or with `override` while it returns a status. */
async function providerServer(provider: SimulatedTicketingProvider, override?: (n: number, res: ServerResponse) => boolean): Promise<{ url: string; requests: number }> {
  const state = { url: "", requests: 0 };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      state.requests++;
      if (override?.(state.requests, res)) return;
      void provider.handle({ method: req.method ?? "GET", body: JSON.parse(Buffer.concat(chunks).toString() || "null") }).then((answer) => {
        res.writeHead(answer.status, answer.headers).end(JSON.stringify(answer.body));
      });
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

function client(url: string, waits: number[], extra: Partial<ConstructorParameters<typeof TicketingProviderClient>[0]> = {}): TicketingProviderClient {
  return new TicketingProviderClient({ baseUrl: url, maxAttempts: 4, backoff: { initialDelayMs: 100, multiplier: 2, maxDelayMs: 1_000 }, random: () => 1, sleep: async (ms) => void waits.push(ms), ...extra });
}

describe("ticketing provider client", () => {
  it("retries 503s with growing waits, then returns the issued tickets", async () => {
    const server = await providerServer(new SimulatedTicketingProvider(), (n, res) => {
      if (n > 2) return false;
      res.writeHead(503, { "content-type": "application/problem+json" }).end(JSON.stringify({ status: 503, detail: "busy" }));
      return true;
    });
    const waits: number[] = [];
    const outcome = await client(server.url, waits).issueTickets(request);
    expect(outcome).toMatchObject({ kind: "issued", ticketIds: [expect.stringMatching(/^TKT-/)] });
    expect(server.requests).toBe(3);
    expect(waits).toEqual([100, 200]);
  });

  it("returns 'unavailable' on a 409 without retrying", async () => {
    const server = await providerServer(new SimulatedTicketingProvider({ unavailableConcerts: ["concert-1"] }));
    const waits: number[] = [];
    expect(await client(server.url, waits).issueTickets(request)).toEqual({ kind: "unavailable", detail: "No tickets are available for concert concert-1." });
    expect(server.requests).toBe(1);
  });

  it("gives up after the last attempt with the last failure", async () => {
    const server = await providerServer(new SimulatedTicketingProvider({ failureRate: 1 }));
    const waits: number[] = [];
    const failure = await client(server.url, waits).issueTickets(request).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(TicketingProviderUnavailableError);
    expect((failure as Error).message).toMatch(/4 attempts .* HTTP 503: The ticketing provider is overloaded/);
    expect(server.requests).toBe(4);
    // The simulated provider's 503 says Retry-After: 1 (second): waits are at least that, capped by the backoff's maximum.
    expect(waits).toEqual([1_000, 1_000, 1_000]);
  });

  it("waits the provider's Retry-After when it is longer than the backoff, up to the maximum", async () => {
    const server = await providerServer(new SimulatedTicketingProvider(), (n, res) => {
      if (n > 2) return false;
      res.writeHead(503, { "retry-after": n === 1 ? "0.3" : "60" }).end();
      return true;
    });
    const waits: number[] = [];
    expect((await client(server.url, waits).issueTickets(request)).kind).toBe("issued");
    expect(waits).toEqual([300, 1_000]);
  });

  it("retries a provider that does not answer within the timeout", async () => {
    const server = await providerServer(new SimulatedTicketingProvider(), (n) => n === 1);
    const waits: number[] = [];
    const outcome = await client(server.url, waits, { timeoutMs: 200 }).issueTickets(request);
    expect(outcome.kind).toBe("issued");
    expect(server.requests).toBe(2);
  });

  it("retries network errors and does not retry a 400", async () => {
    const closed = await providerServer(new SimulatedTicketingProvider());
    const url = closed.url;
    for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
    const waits: number[] = [];
    await expect(client(url, waits, { maxAttempts: 2 }).issueTickets(request)).rejects.toThrow(/2 attempts .* network error/);
    expect(waits).toHaveLength(1);

    const open = await providerServer(new SimulatedTicketingProvider());
    await expect(client(open.url, []).issueTickets({ ...request, quantity: 0 })).rejects.toBeInstanceOf(TicketingProviderRejectedError);
    expect(open.requests).toBe(1);
  });
});
