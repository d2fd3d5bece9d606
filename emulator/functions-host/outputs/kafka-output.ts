/**
 * The Kafka output binding (`output.generic({ type: "kafka", brokerList, topic, ... })`), produced with kafkajs on
 * the connection's shared producer. As the extension's collector does, a string (or object) shaped like its
 * KafkaEventData (`Offset`, `Partition`, `Topic`, `Timestamp`, `Value` and `Headers`, optionally `Key`) is sent as
 * that record, with its key and headers; any other string, object (as JSON) or Buffer is the record's value.
 */
import type { Message } from "kafkajs";
import { resolveSettingReferences } from "../host-settings.js";
import type { KafkaClients } from "../kafka-clients.js";
import { kafkaConnection } from "../kafka-connection.js";
import type { RpcBindingInfo } from "../rpc-types.js";

const EVENT_DATA_KEYS = ["Offset", "Partition", "Topic", "Timestamp", "Value", "Headers"];

function eventDataShape(item: unknown): Record<string, unknown> | undefined {
  let value = item;
  if (typeof item === "string") {
    try {
      value = JSON.parse(item);
    } catch {
      return undefined;
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value) || Buffer.isBuffer(value)) return undefined;
  const obj = value as Record<string, unknown>;
  return EVENT_DATA_KEYS.every((k) => k in obj) ? obj : undefined;
}

const text = (v: unknown) => (v === null || v === undefined ? null : typeof v === "string" ? v : JSON.stringify(v));

export function toKafkaMessage(item: unknown): Message {
  const data = eventDataShape(item);
  if (data) {
    const headers: Record<string, string> = {};
    for (const h of Array.isArray(data.Headers) ? (data.Headers as { Key?: unknown; Value?: unknown }[]) : []) {
      if (typeof h?.Key === "string") headers[h.Key] = String(h.Value ?? "");
    }
    const timestamp = Date.parse(String(data.Timestamp));
    return {
      key: text(data.Key),
      value: text(data.Value),
      headers,
      ...(Number.isNaN(timestamp) ? {} : { timestamp: String(timestamp) }),
    };
  }
  if (Buffer.isBuffer(item)) return { value: item };
  return { value: typeof item === "string" ? item : JSON.stringify(item) };
}

export async function sendKafkaOutput(binding: RpcBindingInfo, items: unknown[], env: Record<string, string>, clients: KafkaClients, where: string): Promise<void> {
  if (typeof binding.topic !== "string" || binding.topic.trim() === "") throw new Error(`${where}: a Kafka output needs a topic.`);
  const topic = resolveSettingReferences(binding.topic, env, where);
  const producer = await clients.producer(kafkaConnection(binding, env, where));
  await producer.send({ topic, messages: items.map(toKafkaMessage) });
}
