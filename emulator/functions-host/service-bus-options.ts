/**
 * `extensions.serviceBus` in host.json (Service Bus extension 5.x names and defaults, ServiceBusOptions.cs), and the
 * connection a trigger or output names: an app setting holding a connection string (locally the emulator's).
 */
import os from "node:os";
import { parseTimeSpan } from "./time-span.js";

export interface ServiceBusHostOptions {
  autoCompleteMessages: boolean;
  maxConcurrentCalls: number;
  maxConcurrentSessions: number;
  /** 0 disables renewal; negative TimeSpans mean "renew for ever". */
  maxAutoLockRenewalDurationMs: number;
  maxMessageBatchSize: number;
  sessionIdleTimeoutMs: number;
  prefetchCount: number;
}

const RENEW_FOREVER_MS = 365 * 86_400_000;

function timeSpanOption(raw: unknown, name: string, fallback: number): number {
  if (raw === undefined) return fallback;
  const ms = typeof raw === "string" ? parseTimeSpan(raw) : undefined;
  if (ms === undefined) throw new Error(`host.json extensions.serviceBus.${name}: "${String(raw)}" is not a TimeSpan such as "00:05:00".`);
  return ms;
}

function intOption(raw: unknown, name: string, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  if (typeof raw !== "number" || !Number.isInteger(raw) || raw < min) throw new Error(`host.json extensions.serviceBus.${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}.`);
  return raw;
}

export function serviceBusHostOptions(section: Record<string, unknown> | undefined): ServiceBusHostOptions {
  const s = section ?? {};
  if (s.autoCompleteMessages !== undefined && typeof s.autoCompleteMessages !== "boolean") {
    throw new Error("host.json extensions.serviceBus.autoCompleteMessages must be true or false.");
  }
  const renewal = timeSpanOption(s.maxAutoLockRenewalDuration, "maxAutoLockRenewalDuration", 5 * 60_000);
  return {
    autoCompleteMessages: (s.autoCompleteMessages as boolean | undefined) ?? true,
    maxConcurrentCalls: intOption(s.maxConcurrentCalls, "maxConcurrentCalls", 16 * os.cpus().length, 1),
    maxConcurrentSessions: intOption(s.maxConcurrentSessions, "maxConcurrentSessions", 8, 1),
    maxAutoLockRenewalDurationMs: renewal < 0 ? RENEW_FOREVER_MS : renewal,
    maxMessageBatchSize: intOption(s.maxMessageBatchSize ?? s.maxMessages, "maxMessageBatchSize", 1000, 1),
    sessionIdleTimeoutMs: timeSpanOption(s.sessionIdleTimeout, "sessionIdleTimeout", 60_000),
    prefetchCount: intOption(s.prefetchCount, "prefetchCount", 0, 0),
  };
}

/**
 * The connection string behind a binding's `connection` setting. Identity-based settings
 * (`<name>__fullyQualifiedNamespace`) work in Azure; locally the setting must hold the emulator's connection string.
 */
export function serviceBusConnectionString(connection: string | undefined, env: Record<string, string>, where: string): string {
  const name = connection && connection.trim() !== "" ? connection : "AzureWebJobsServiceBus";
  const value = env[name] ?? env[`ConnectionStrings:${name}`];
  if (value && /Endpoint=/i.test(value)) return value;
  if (env[`${name}__fullyQualifiedNamespace`]) {
    throw new Error(`${where}: "${name}" is an identity-based connection (${name}__fullyQualifiedNamespace); the local host needs a connection string in the app setting "${name}".`);
  }
  throw new Error(`${where}: the app setting "${name}" holds no Service Bus connection string.`);
}
