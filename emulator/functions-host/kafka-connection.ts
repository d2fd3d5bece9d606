/**
 * The connection a Kafka trigger or output binding describes, as the Kafka extension reads it: `brokerList` (a
 * `%Setting%` reference or the name of an app setting, as with BrokerList in the samples), `username` / `password`
 * (literal, `%Setting%`, or an app setting's name: `password: "EventHubConnectionString"`), `protocol`
 * (plaintext, ssl, saslPlaintext, saslSsl) and `authenticationMode` (plain, scramSha256, scramSha512), turned into
 * kafkajs settings. Against the local Event Hubs endpoint (a connection string with UseDevelopmentEmulator=true)
 * SASL_SSL runs without TLS, as the Event Hubs emulator does.
 */
import type { KafkaConfig, SASLOptions } from "kafkajs";
import { resolveSettingReferences } from "./host-settings.js";
import type { RpcBindingInfo } from "./rpc-types.js";

export interface KafkaConnection {
  brokers: string[];
  ssl: boolean;
  sasl?: SASLOptions;
  /** Same connection, same key: triggers and outputs share clients by it. */
  key: string;
}

const PROTOCOLS = ["notset", "plaintext", "ssl", "saslplaintext", "saslssl"] as const;
type Protocol = (typeof PROTOCOLS)[number];

/** `%Name%` references resolved, then a whole value that names an app setting replaced by that setting. */
export function resolveSecureSetting(raw: unknown, env: Record<string, string>, where: string): string | undefined {
  if (typeof raw !== "string" || raw.trim() === "") return undefined;
  const resolved = resolveSettingReferences(raw.trim(), env, where);
  return env[resolved] ?? env[`ConnectionStrings:${resolved}`] ?? resolved;
}

function protocolOf(raw: unknown, where: string): Protocol {
  const p = String(raw ?? "notset").replace(/[_\s-]/g, "").toLowerCase() as Protocol;
  if (!PROTOCOLS.includes(p)) throw new Error(`${where}: protocol "${String(raw)}" is not one of plaintext, ssl, saslPlaintext, saslSsl.`);
  return p;
}

function saslOf(mode: unknown, username: string, password: string, where: string): SASLOptions {
  const m = String(mode ?? "plain").replace(/[_\s-]/g, "").toLowerCase();
  if (m === "plain" || m === "notset") return { mechanism: "plain", username, password };
  if (m === "scramsha256") return { mechanism: "scram-sha-256", username, password };
  if (m === "scramsha512") return { mechanism: "scram-sha-512", username, password };
  throw new Error(`${where}: authenticationMode "${String(mode)}" is not supported locally (plain, scramSha256 or scramSha512).`);
}

export function kafkaConnection(binding: RpcBindingInfo, env: Record<string, string>, where: string): KafkaConnection {
  const brokerList = resolveSecureSetting(binding.brokerList, env, `${where} brokerList`);
  if (!brokerList) throw new Error(`${where}: a Kafka binding needs brokerList (e.g. "%BrokerList%").`);
  const brokers = brokerList.split(",").map((b) => b.trim()).filter(Boolean);
  const username = resolveSecureSetting(binding.username, env, `${where} username`);
  const password = resolveSecureSetting(binding.password, env, `${where} password`);
  let protocol = protocolOf(binding.protocol, where);
  if (protocol === "notset") protocol = username !== undefined ? "saslplaintext" : "plaintext";
  const usesSasl = protocol === "saslplaintext" || protocol === "saslssl";
  if (usesSasl && (username === undefined || password === undefined)) throw new Error(`${where}: protocol ${String(binding.protocol)} needs username and password.`);
  const localEventHubs = /UseDevelopmentEmulator=true/i.test(password ?? "");
  const ssl = (protocol === "ssl" || protocol === "saslssl") && !localEventHubs;
  const sasl = usesSasl ? saslOf(binding.authenticationMode, username as string, password as string, where) : undefined;
  return { brokers, ssl, sasl, key: JSON.stringify([brokers, ssl, sasl ?? null]) };
}

/** Metadata refreshed below Event Hubs' 240 s idle close (producers and consumers). */
export const METADATA_MAX_AGE_MS = 180_000;

export function kafkaClientConfig(connection: KafkaConnection, clientId: string): KafkaConfig {
  return {
    clientId,
    brokers: connection.brokers,
    ssl: connection.ssl,
    ...(connection.sasl ? { sasl: connection.sasl } : {}),
    // Event Hubs' recommendation (see shared notes): 60 s requests.
    requestTimeout: 60_000,
    connectionTimeout: 10_000,
  };
}
