import { describe, expect, it } from "vitest";
import { ticketingProviderBaseUrl } from "../../../src/services/ticketing-provider/provider-base-url.js";
import { SimulatedTicketingProvider } from "../../../src/services/ticketing-provider/simulated-ticketing-provider.js";

const request = { purchaseId: "purchase-1", concertId: "concert-1", tier: "standard", quantity: 2, fan: { id: "fan-1", email: "fan@example.com" } };

describe("simulated ticketing provider", () => {
  it("issues one ticket per seat, the same ones for a repeated purchase", async () => {
    const provider = new SimulatedTicketingProvider();
    const first = await provider.handle({ method: "POST", body: request });
    expect(first.status).toBe(201);
    const body = first.body as { ticketIds: string[]; reference: string };
    expect(body.ticketIds).toHaveLength(2);
    expect(new Set(body.ticketIds).size).toBe(2);
    expect(body.reference).toMatch(/^TP-/);
    expect((await provider.handle({ method: "POST", body: request })).body).toEqual(first.body);
    const other = await provider.handle({ method: "POST", body: { ...request, purchaseId: "purchase-2" } });
    expect((other.body as { ticketIds: string[] }).ticketIds).not.toEqual(body.ticketIds);
  });

  it("answers 409 for an unavailable concert", async () => {
    const provider = new SimulatedTicketingProvider({ unavailableConcerts: ["concert-1"] });
    const response = await provider.handle({ method: "POST", body: request });
    expect(response.status).toBe(409);
    expect(response.headers["content-type"]).toBe("application/problem+json");
    expect(response.body).toMatchObject({ status: 409, concertId: "concert-1" });
  });

  it("answers 503 with Retry-After at the failure rate", async () => {
    const draws = [0.2, 0.8];
    const provider = new SimulatedTicketingProvider({ failureRate: 0.5, random: () => draws.shift()! });
    const failed = await provider.handle({ method: "POST", body: request });
    expect(failed.status).toBe(503);
    expect(failed.headers["retry-after"]).toBe("1");
    expect((await provider.handle({ method: "POST", body: request })).status).toBe(201);
  });

  it("waits the configured latency before answering", async () => {
    const waited: number[] = [];
    const provider = new SimulatedTicketingProvider({ latencyMs: 250, sleep: async (ms) => void waited.push(ms) });
    await provider.handle({ method: "POST", body: request });
    expect(waited).toEqual([250]);
  });

  it("answers 400 with each invalid field and 405 for another method", async () => {
    const provider = new SimulatedTicketingProvider();
    const bad = await provider.handle({ method: "POST", body: { ...request, quantity: 0, fan: { id: "f", email: "nope" } } });
    expect(bad.status).toBe(400);
    expect((bad.body as { errors: { field: string }[] }).errors.map((e) => e.field).sort()).toEqual(["fan.email", "quantity"]);
    expect((await provider.handle({ method: "POST", body: "not json" })).status).toBe(400);
    expect((await provider.handle({ method: "GET", body: undefined })).status).toBe(405);
  });
});

describe("the provider's base URL", () => {
  it("is the configured URL, else the app's own simulated provider", () => {
    expect(ticketingProviderBaseUrl("https://provider.example/v1", {})).toBe("https://provider.example/v1");
    expect(ticketingProviderBaseUrl(undefined, { WEBSITE_HOSTNAME: "musicfest.azurewebsites.net" })).toBe("https://musicfest.azurewebsites.net/api/simulated/ticketing-provider");
    expect(ticketingProviderBaseUrl(undefined, { WEBSITE_HOSTNAME: "localhost:7071" })).toBe("http://localhost:7071/api/simulated/ticketing-provider");
    expect(() => ticketingProviderBaseUrl(undefined, {})).toThrow(/TicketingProvider__baseUrl/);
  });
});
