import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createMessage } from "../../../src/events/catalog.js";
import type { OutboxRecord } from "../../../src/eventstore/event-store.js";
import { InMemoryEventStore } from "../../../src/eventstore/in-memory-event-store.js";
import { SimulatedTicketingProvider } from "../../../src/services/ticketing-provider/simulated-ticketing-provider.js";
import { TicketingProviderClient, TicketingProviderUnavailableError } from "../../../src/services/ticketing-provider/ticketing-provider-client.js";
import { handleIssueTickets } from "../../../src/services/ticketing-provider/ticketing-provider-handler.js";
import { reportCircuitChange } from "../../../src/services/ticketing-provider/circuit-state-report.js";
import { type CommandDeferral, deferredMessageId } from "../../../src/services/ticketing-provider/command-deferral.js";
import { ProviderCircuitBreaker } from "../../../src/services/ticketing-provider/provider-circuit-breaker.js";
import { processMessage } from "../../../src/telemetry/message-processing.js";
import { useHopRecorder } from "../../../src/timeline/hop-recorder.js";
import { InMemoryHopStore } from "../../../src/timeline/in-memory-hop-store.js";

const now = new Date("2026-06-01T18:00:00.000Z");
const issue = (purchaseId: string, concertId = "c1") =>
  createMessage("IssueTickets", { purchaseId, concertId, fan: { id: "fan-1", email: "fan@example.com" }, tier: "vip", quantity: 2 }, { id: `${purchaseId}:IssueTickets`, correlationId: `corr-${purchaseId}` });

/** The simulated provider behind a fetch function (the client's HTTP behaviour has its own tests over real sockets). */
function setUp(provider: SimulatedTicketingProvider, answers: number[] = []) {
  const calls: { headers: Record<string, string> }[] = [];
  const fetchProvider: typeof fetch = async (_url, init) => {
    calls.push({ headers: init!.headers as Record<string, string> });
    const forced = answers.shift();
    if (forced) return new Response(JSON.stringify({ status: forced, detail: "forced" }), { status: forced });
    const answer = await provider.handle({ method: "POST", body: JSON.parse(String(init!.body)) });
    return new Response(JSON.stringify(answer.body), { status: answer.status, headers: answer.headers });
  };
  const client = new TicketingProviderClient({ baseUrl: "http://provider.test", maxAttempts: 3, fetch: fetchProvider, sleep: async () => undefined });
  const store = new InMemoryEventStore(() => now);
  const records: OutboxRecord[] = [];
  const deps = { store, provider: client, now: () => now, relay: { deliver: async (r: readonly OutboxRecord[]) => void records.push(...r) } };
  return { store, records, calls, send: (message: object) => handleIssueTickets(JSON.stringify(message), deps) };
}

describe("ticketing-provider command handler", () => {
  it("issues: TicketsIssued on ticket-issue-<purchaseId> with the provider's tickets, correlation id sent along", async () => {
    const { records, calls, send } = setUp(new SimulatedTicketingProvider());
    expect(await send(issue("p1"))).toMatchObject({ status: "handled", streamId: "ticket-issue-p1", version: 1 });
    expect(records.map((r) => r.message.type)).toEqual(["MusicFest.TicketingProvider.TicketsIssued.v1"]);
    expect(records[0].message).toMatchObject({ id: "ticket-issue-p1:1", causationid: "p1:IssueTickets", data: { purchaseId: "p1", concertId: "c1", ticketIds: [expect.stringMatching(/^TKT-/), expect.stringMatching(/^TKT-/)], providerReference: expect.stringMatching(/^TP-/) } });
    expect(calls[0].headers).toMatchObject({ "x-correlation-id": "corr-p1", "idempotency-key": "p1" });
  });

  it("retries a 503 and then issues", async () => {
    const { records, calls, send } = setUp(new SimulatedTicketingProvider(), [503]);
    await send(issue("p2"));
    expect(calls).toHaveLength(2);
    expect(records.map((r) => r.message.type)).toEqual(["MusicFest.TicketingProvider.TicketsIssued.v1"]);
  });

  it("409: TicketIssueFailed with the provider's explanation", async () => {
    const { records, send } = setUp(new SimulatedTicketingProvider({ unavailableConcerts: ["c9"] }));
    await send(issue("p3", "c9"));
    expect(records[0].message).toMatchObject({ type: "MusicFest.TicketingProvider.TicketIssueFailed.v1", data: { purchaseId: "p3", concertId: "c9", reason: "tickets-unavailable", detail: "No tickets are available for concert c9." } });
  });

  it("a provider that stays down throws after the client's attempts and writes nothing", async () => {
    const { store, calls, send } = setUp(new SimulatedTicketingProvider({ failureRate: 1 }));
    await expect(send(issue("p4"))).rejects.toBeInstanceOf(TicketingProviderUnavailableError);
    expect(calls).toHaveLength(3);
    expect((await store.readStream("ticket-issue-p4")).version).toBe(0);
  });

  it("a redelivered IssueTickets does not call the provider again", async () => {
    const { records, calls, send } = setUp(new SimulatedTicketingProvider());
    await send(issue("p5"));
    expect(await send(issue("p5"))).toMatchObject({ status: "duplicate" });
    expect(calls).toHaveLength(1);
    expect(records).toHaveLength(1);
  });
});

describe("ticketing-provider command handler, with the provider's circuit open", () => {
  /** A provider that is down behind a breaker that opens on the first failure; deferrals are kept, not sent. */
  function setUpOpenCircuit() {
    const changes: string[] = [];
    let calls = 0;
    const fetchProvider: typeof fetch = async () => {
      calls++;
      return new Response(JSON.stringify({ status: 503, detail: "down" }), { status: 503 });
    };
    const circuit = new ProviderCircuitBreaker({
      failures: 1,
      halfOpenAfterMs: 30_000,
      attemptTimeoutMs: 1_000,
      onStateChange: (change) => reportCircuitChange(change, (line) => changes.push(line)),
    });
    const client = new TicketingProviderClient({
      baseUrl: "http://provider.test",
      maxAttempts: 3,
      fetch: fetchProvider,
      sleep: async () => undefined,
      circuit,
    });
    const deferred: { id: string; at: Date; receivedMessageId: string | undefined }[] = [];
    const deferral: CommandDeferral = {
      defer: async (command, at, receivedMessageId) => {
        deferred.push({ id: command.id, at, receivedMessageId });
        return deferredMessageId(receivedMessageId ?? command.id);
      },
    };
    const store = new InMemoryEventStore(() => now);
    const deps = { store, provider: client, deferral, now: () => now, relay: { deliver: async () => undefined } };
    const send = (message: { id: string }, messageId?: string) =>
      processMessage({ consumer: "ticketing-provider", message }, () =>
        handleIssueTickets(JSON.stringify(message), deps, messageId ? { messageId } : {}),
      );
    return { store, deferred, changes, calls: () => calls, send };
  }

  const hops = new InMemoryHopStore();
  let previous: ReturnType<typeof useHopRecorder>;
  beforeEach(() => {
    hops.hops.length = 0;
    previous = useHopRecorder(hops);
  });
  afterEach(() => void useHopRecorder(previous));

  it("sends the command again for when a probe may go through, completes the delivery and writes nothing", async () => {
    const { store, deferred, changes, calls, send } = setUpOpenCircuit();
    const started = Date.now();
    const outcome = await send(issue("p6"));
    const deferredAs = "p6:IssueTickets~deferred-1";
    expect(outcome).toMatchObject({ status: "deferred", streamId: "ticket-issue-p6", deferredAs });
    const { retryAt } = outcome as { retryAt: string };
    // One failed attempt opened the circuit; the client's next attempt was refused without reaching the provider.
    expect(calls()).toBe(1);
    expect(deferred).toEqual([{ id: "p6:IssueTickets", at: new Date(retryAt), receivedMessageId: undefined }]);
    expect(deferred[0].at.getTime()).toBeGreaterThanOrEqual(started + 30_000);
    expect((await store.readStream("ticket-issue-p6")).version).toBe(0);
    expect(changes).toEqual([
      expect.stringMatching(/^ticketing provider circuit open \(last failure: HTTP 503.*\); calls fail fast until a probe/),
    ]);

    // The purchase's timeline says why it waits.
    expect(hops.hops.map((h) => [h.kind, h.circuit])).toEqual([
      ["delivered", undefined],
      ["circuit", "open"],
      ["deferred", "open"],
    ]);
    const detail = expect.stringContaining(`sent again as ${deferredAs}`);
    expect(hops.hops[2]).toMatchObject({ purchaseId: "p6", retryAt, detail });

    // A deferred copy that meets the open circuit again is deferred again, under the next message id.
    const again = await send(issue("p6"), deferredAs);
    expect(again).toMatchObject({ status: "deferred", deferredAs: "p6:IssueTickets~deferred-2" });
    expect(calls()).toBe(1);
  });

  it("names each copy after the first message id, counting the deferrals", () => {
    expect(deferredMessageId("p1:IssueTickets")).toBe("p1:IssueTickets~deferred-1");
    expect(deferredMessageId("p1:IssueTickets~deferred-1")).toBe("p1:IssueTickets~deferred-2");
    expect(deferredMessageId("p1:IssueTickets~deferred-41")).toBe("p1:IssueTickets~deferred-42");
  });
});
