/**
 * The simulated third-party ticketing provider, served by the app itself so it runs wherever the app runs:
 * POST /api/simulated/ticketing-provider/tickets (anonymous, as an external API with its own credentials would be to
 * us). Latency, failure rate and unavailable concerts come from the TicketingProvider__* settings.
 */
import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { loadAppSettings } from "../src/config.js";
import { problem } from "../src/http/problem.js";
import { SimulatedTicketingProvider } from "../src/services/ticketing-provider/simulated-ticketing-provider.js";

const MAX_BODY_BYTES = 16 * 1024;
let provider: SimulatedTicketingProvider | undefined;

function simulatedProvider(): SimulatedTicketingProvider {
  if (!provider) {
    const settings = loadAppSettings(process.env);
    provider = new SimulatedTicketingProvider({
      latencyMs: settings.ticketingProviderLatencyMs,
      failureRate: settings.ticketingProviderFailureRate,
      unavailableConcerts: settings.ticketingProviderUnavailableConcerts,
    });
  }
  return provider;
}

app.http("simulated-ticketing-provider", {
  methods: ["POST"],
  route: "simulated/ticketing-provider/tickets",
  authLevel: "anonymous",
  handler: async (request: HttpRequest): Promise<HttpResponseInit> => {
    const bytes = Buffer.from(await request.arrayBuffer());
    if (bytes.length > MAX_BODY_BYTES) return problem(413, { detail: `A ticket request is at most ${MAX_BODY_BYTES} bytes.` });
    let body: unknown;
    try {
      body = JSON.parse(bytes.toString("utf8"));
    } catch {
      body = undefined;
    }
    const answer = await simulatedProvider().handle({ method: request.method, body });
    return { status: answer.status, headers: answer.headers, jsonBody: answer.body };
  },
});
