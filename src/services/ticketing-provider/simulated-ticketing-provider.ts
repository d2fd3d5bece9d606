/**
 * The third-party ticketing provider, simulated: a pure request handler (method, body -> status, body) that the
 * Functions app exposes at `POST /api/simulated/ticketing-provider/tickets`. It answers as an external API would:
 *   201 {reference, ticketIds}   tickets issued; the same purchase id always gets the same ones (idempotent)
 *   400 problem+json             a malformed request
 *   409 problem+json             the concert is in `unavailableConcerts` (the provider has no tickets for it)
 *   503 problem+json             at `failureRate`, with Retry-After (the provider is overloaded)
 * after `latencyMs` of latency.
 */
import { z } from "zod";
import { providerReferenceFor, ticketIdsFor } from "./ticket-ids.js";

export const ticketRequestSchema = z.object({
  purchaseId: z.string().min(1).max(128),
  concertId: z.string().min(1).max(128),
  tier: z.enum(["standard", "vip"]),
  quantity: z.number().int().min(1).max(100),
  fan: z.object({ id: z.string().min(1).max(64), email: z.email(), name: z.string().max(200).optional() }),
});
export type TicketRequest = z.output<typeof ticketRequestSchema>;

export interface IssuedTickets {
  reference: string;
  purchaseId: string;
  concertId: string;
  ticketIds: string[];
}

export interface ProviderResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface SimulatedTicketingProviderOptions {
  latencyMs?: number;
  /** Probability in [0, 1] of a 503. */
  failureRate?: number;
  /** Concert ids the provider answers 409 for. */
  unavailableConcerts?: readonly string[];
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const PROBLEM = { "content-type": "application/problem+json" };

function problem(status: number, title: string, detail: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): ProviderResponse {
  return { status, headers: { ...PROBLEM, ...headers }, body: { type: "about:blank", title, status, detail, ...extra } };
}

export class SimulatedTicketingProvider {
  private readonly latencyMs: number;
  private readonly failureRate: number;
  private readonly unavailable: ReadonlySet<string>;
  private readonly random: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: SimulatedTicketingProviderOptions = {}) {
    this.latencyMs = options.latencyMs ?? 0;
    this.failureRate = options.failureRate ?? 0;
    if (!(this.failureRate >= 0 && this.failureRate <= 1)) throw new RangeError(`failureRate must be between 0 and 1, got ${options.failureRate}`);
    this.unavailable = new Set(options.unavailableConcerts ?? []);
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async handle(request: { method: string; body: unknown }): Promise<ProviderResponse> {
    if (this.latencyMs > 0) await this.sleep(this.latencyMs);
    if (request.method.toUpperCase() !== "POST") return problem(405, "Method Not Allowed", "POST a ticket request.", {}, { allow: "POST" });
    const parsed = ticketRequestSchema.safeParse(request.body);
    if (!parsed.success) {
      const errors = parsed.error.issues.map((i) => ({ field: i.path.join(".") || "(body)", message: i.message }));
      return problem(400, "Bad Request", "The ticket request is invalid.", { errors });
    }
    if (this.failureRate > 0 && this.random() < this.failureRate) {
      return problem(503, "Service Unavailable", "The ticketing provider is overloaded; retry later.", {}, { "retry-after": "1" });
    }
    const { purchaseId, concertId, quantity } = parsed.data;
    if (this.unavailable.has(concertId)) return problem(409, "Conflict", `No tickets are available for concert ${concertId}.`, { concertId });
    const issued: IssuedTickets = { reference: providerReferenceFor(purchaseId), purchaseId, concertId, ticketIds: ticketIdsFor(purchaseId, concertId, quantity) };
    return { status: 201, headers: { "content-type": "application/json" }, body: issued };
  }
}
