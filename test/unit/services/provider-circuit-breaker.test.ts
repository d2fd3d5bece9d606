/**
 * The ticketing provider client with its circuit breaker and timeout (cockatiel), the clock moved rather than slept:
 * cockatiel reads Date.now() and times out with setTimeout, both of which vitest's fake timers drive.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  CircuitOpenError,
  type CircuitStateChange,
  ProviderCircuitBreaker,
} from "../../../src/services/ticketing-provider/provider-circuit-breaker.js";
import { describeCircuitChange } from "../../../src/services/ticketing-provider/circuit-state-report.js";
import { SimulatedTicketingProvider } from "../../../src/services/ticketing-provider/simulated-ticketing-provider.js";
import {
  TicketingProviderClient,
  TicketingProviderUnavailableError,
} from "../../../src/services/ticketing-provider/ticketing-provider-client.js";

const T0 = new Date("2026-07-01T12:00:00.000Z");
const request = (purchaseId = "p1", concertId = "c1") => ({
  purchaseId,
  concertId,
  tier: "standard" as const,
  quantity: 1,
  fan: { id: "fan-1", email: "fan@example.com" },
});

type Mode = "up" | "down" | "silent" | "unreachable";

/** The simulated provider behind fetch: up, down (503) or silent (never answers, honours the abort signal). */
interface SetUpOptions {
  failures: number;
  maxAttempts: number;
  halfOpenAfterMs?: number;
  attemptTimeoutMs?: number;
}

function setUp(options: SetUpOptions) {
  const provider = new SimulatedTicketingProvider({ unavailableConcerts: ["sold-out"] });
  const state = { mode: "up" as Mode, calls: 0 };
  const changes: CircuitStateChange[] = [];
  const fetchProvider: typeof fetch = async (_url, init) => {
    state.calls++;
    if (state.mode === "silent") {
      const signal = init!.signal!;
      return new Promise<Response>((_resolve, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
    }
    if (state.mode === "unreachable") throw new TypeError("fetch failed");
    if (state.mode === "down") return new Response(JSON.stringify({ status: 503, detail: "down" }), { status: 503 });
    const answer = await provider.handle({ method: "POST", body: JSON.parse(String(init!.body)) });
    return new Response(JSON.stringify(answer.body), { status: answer.status, headers: answer.headers });
  };
  const circuit = new ProviderCircuitBreaker({
    failures: options.failures,
    halfOpenAfterMs: options.halfOpenAfterMs ?? 30_000,
    attemptTimeoutMs: options.attemptTimeoutMs ?? 5_000,
    onStateChange: (change) => changes.push(change),
  });
  const client = new TicketingProviderClient({
    baseUrl: "http://provider.test",
    maxAttempts: options.maxAttempts,
    fetch: fetchProvider,
    sleep: async () => undefined,
    circuit,
  });
  return { state, changes, circuit, client };
}

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("ticketing provider circuit breaker", () => {
  it("opens after the set number of consecutive failed attempts, then fails fast without a call", async () => {
    const { state, changes, circuit, client } = setUp({ failures: 3, maxAttempts: 4, halfOpenAfterMs: 30_000 });
    state.mode = "down";
    // The third failed attempt opens the circuit; the fourth is refused before it reaches the provider.
    const first = await client.issueTickets(request()).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(CircuitOpenError);
    expect((first as CircuitOpenError).retryAt).toEqual(new Date(T0.getTime() + 30_000));
    expect(state.calls).toBe(3);
    expect(circuit.state).toBe("open");
    const halfOpenAt = new Date(T0.getTime() + 30_000);
    expect(changes).toEqual([{ state: "open", halfOpenAt, reason: expect.stringMatching(/^HTTP 503/) }]);

    vi.advanceTimersByTime(29_999);
    await expect(client.issueTickets(request("p2"))).rejects.toBeInstanceOf(CircuitOpenError);
    expect(state.calls).toBe(3);
  });

  it("lets one probe through at the half-open time: a failed probe opens it again, a good one closes it", async () => {
    const { state, changes, circuit, client } = setUp({ failures: 2, maxAttempts: 4, halfOpenAfterMs: 10_000 });
    state.mode = "down";
    await expect(client.issueTickets(request())).rejects.toBeInstanceOf(CircuitOpenError);
    expect(state.calls).toBe(2);

    vi.advanceTimersByTime(10_000);
    const reopened = await client.issueTickets(request()).catch((e: unknown) => e);
    expect(reopened).toBeInstanceOf(CircuitOpenError);
    expect(state.calls).toBe(3);
    expect((reopened as CircuitOpenError).retryAt).toEqual(new Date(T0.getTime() + 20_000));

    state.mode = "up";
    vi.advanceTimersByTime(10_000);
    expect(await client.issueTickets(request())).toMatchObject({ kind: "issued" });
    expect(state.calls).toBe(4);
    expect(circuit.state).toBe("closed");
    expect(changes.map((c) => c.state)).toEqual(["open", "half-open", "open", "half-open", "closed"]);
  });

  it("counts an attempt that outlasts the timeout policy as a failure", async () => {
    const { state, circuit, client } = setUp({ failures: 2, maxAttempts: 4, attemptTimeoutMs: 1_000 });
    state.mode = "silent";
    const call = client.issueTickets(request()).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1_000);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await call).toBeInstanceOf(CircuitOpenError);
    expect(state.calls).toBe(2);
    expect(circuit.state).toBe("open");
  });

  it("reports a timed-out attempt as such while the circuit stays closed", async () => {
    const { state, circuit, client } = setUp({ failures: 5, maxAttempts: 1, attemptTimeoutMs: 1_000 });
    state.mode = "silent";
    const call = client.issueTickets(request()).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1_000);
    const error = await call;
    expect(error).toBeInstanceOf(TicketingProviderUnavailableError);
    expect((error as Error).message).toMatch(/no answer within 1000 ms/);
    expect(circuit.state).toBe("closed");
  });

  it("tells a network error from a timeout, and counts it as a failure too", async () => {
    const { state, circuit, client } = setUp({ failures: 2, maxAttempts: 1 });
    state.mode = "unreachable";
    await expect(client.issueTickets(request())).rejects.toThrow(/network error: fetch failed/);
    await expect(client.issueTickets(request())).rejects.toThrow(/network error: fetch failed/);
    expect(circuit.state).toBe("open");
  });

  it("takes a 409 (no tickets) as an answer from a healthy provider: it resets the count of failures", async () => {
    const { state, circuit, client } = setUp({ failures: 2, maxAttempts: 1 });
    state.mode = "down";
    await expect(client.issueTickets(request())).rejects.toBeInstanceOf(TicketingProviderUnavailableError);
    state.mode = "up";
    expect(await client.issueTickets(request("p2", "sold-out"))).toMatchObject({ kind: "unavailable" });
    state.mode = "down";
    await expect(client.issueTickets(request("p3"))).rejects.toBeInstanceOf(TicketingProviderUnavailableError);
    expect(circuit.state).toBe("closed");
    expect(state.calls).toBe(3);
  });

  it("while half-open, only the probe reaches the provider; calls meanwhile wait for its outcome", async () => {
    const { state, client } = setUp({ failures: 1, maxAttempts: 1, halfOpenAfterMs: 1_000 });
    state.mode = "down";
    await expect(client.issueTickets(request())).rejects.toBeInstanceOf(TicketingProviderUnavailableError);
    vi.advanceTimersByTime(1_000);
    const calls = [1, 2, 3].map((n) => client.issueTickets(request(`p${n}`)).catch((e: unknown) => e));
    const outcomes = await Promise.all(calls);
    expect(outcomes.map((o) => (o as Error).name)).toEqual([
      "TicketingProviderUnavailableError",
      "CircuitOpenError",
      "CircuitOpenError",
    ]);
    expect(state.calls).toBe(2);
  });

  it("says each state change in one log line: why and until when it opened, the probe, the close", () => {
    const halfOpenAt = new Date(T0.getTime() + 30_000);
    expect(describeCircuitChange({ state: "open", halfOpenAt, reason: "HTTP 503: down" })).toBe(
      "ticketing provider circuit open (last failure: HTTP 503: down); " +
        "calls fail fast until a probe at 2026-07-01T12:00:30.000Z",
    );
    expect(describeCircuitChange({ state: "half-open" })).toBe(
      "ticketing provider circuit half-open: one probe goes to the provider",
    );
    expect(describeCircuitChange({ state: "closed" })).toBe(
      "ticketing provider circuit closed: the provider answers again",
    );
  });
});
