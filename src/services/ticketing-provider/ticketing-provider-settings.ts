/**
 * The ticketing provider's settings (TicketingProvider__*), parsed with clear errors. Until src/config.ts holds the
 * list of plain settings, they are read here; the names are the ones the shared design fixes.
 */
export interface TicketingProviderSettings {
  /** Where the client sends requests; default: the app's own simulated provider. */
  baseUrl: string | undefined;
  latencyMs: number;
  failureRate: number;
  unavailableConcerts: string[];
}

type Env = Record<string, string | undefined>;

function numberSetting(env: Env, name: string, fallback: number, min: number, max: number): number {
  const text = env[name]?.trim();
  if (!text) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > max) throw new Error(`The app setting "${name}" must be a number from ${min} to ${max}, got "${text}".`);
  return value;
}

export function ticketingProviderSettings(env: Env = process.env): TicketingProviderSettings {
  return {
    baseUrl: env.TicketingProvider__baseUrl?.trim() || undefined,
    latencyMs: numberSetting(env, "TicketingProvider__latencyMs", 0, 0, 60_000),
    failureRate: numberSetting(env, "TicketingProvider__failureRate", 0, 0, 1),
    unavailableConcerts: (env.TicketingProvider__unavailableConcerts ?? "").split(",").map((s) => s.trim()).filter(Boolean),
  };
}
