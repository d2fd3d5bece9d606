/**
 * The namespace's entities (queues, topics, subscriptions with their options and rules) as one JSON document for the
 * log, and how a restart combines it with the config file: what the data directory holds wins (entities created,
 * changed or deleted through the administration API stay that way), and entities of the config file that it does not
 * hold are added, so a queue declared in the config after the first start still appears.
 */
import type { ServiceBusNamespaceConfig } from "../config.js";
import type { Namespace } from "../model/namespace.js";

/** JSON keeps neither Infinity nor Date (correlation filter values): both are tagged. */
function replacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  if (raw instanceof Date) return { $date: raw.getTime() };
  if (typeof raw === "number" && !Number.isFinite(raw)) return { $number: String(raw) };
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const tagged = value as Record<string, unknown>;
    const keys = Object.keys(tagged);
    if (keys.length === 1 && typeof tagged.$date === "number") return new Date(tagged.$date);
    if (keys.length === 1 && typeof tagged.$number === "string") return Number(tagged.$number);
  }
  return value;
}

export function topologyOf(namespace: Namespace): ServiceBusNamespaceConfig {
  return {
    name: namespace.name,
    queues: [...namespace.queues.values()].map((q) => ({ name: q.name, options: q.options })),
    topics: [...namespace.topics.values()].map((t) => ({
      name: t.name,
      options: t.options,
      subscriptions: [...t.subscriptions.values()].map((s) => ({ name: s.name, options: s.options, rules: [...s.rules] })),
    })),
  };
}

export function topologyToJson(topology: ServiceBusNamespaceConfig): string {
  return JSON.stringify(topology, replacer);
}

export function topologyFromJson(json: string): ServiceBusNamespaceConfig {
  return JSON.parse(json, reviver) as ServiceBusNamespaceConfig;
}

/** The stored topology, plus the config file's queues, topics and subscriptions it lacks. */
export function mergeTopology(stored: ServiceBusNamespaceConfig, config: ServiceBusNamespaceConfig): ServiceBusNamespaceConfig {
  const queues = [...stored.queues];
  const topics = stored.topics.map((t) => ({ ...t, subscriptions: [...t.subscriptions] }));
  const taken = new Set([...queues.map((q) => q.name.toLowerCase()), ...topics.map((t) => t.name.toLowerCase())]);
  for (const q of config.queues) if (!taken.has(q.name.toLowerCase())) queues.push(q);
  for (const t of config.topics) {
    const existing = topics.find((s) => s.name.toLowerCase() === t.name.toLowerCase());
    if (!existing) {
      if (!taken.has(t.name.toLowerCase())) topics.push({ ...t, subscriptions: [...t.subscriptions] });
      continue;
    }
    for (const sub of t.subscriptions) {
      if (!existing.subscriptions.some((s) => s.name.toLowerCase() === sub.name.toLowerCase())) existing.subscriptions.push(sub);
    }
  }
  return { name: config.name, queues, topics };
}
