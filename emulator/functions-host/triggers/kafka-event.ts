/**
 * Kafka records as the Kafka extension hands them to a Node.js function. With `dataType: "string"` (or none) each
 * record is the extension's KafkaEventData serialized as JSON: `{Offset, Partition, Topic, Timestamp, Key, Value,
 * Headers: [{Key, Value}]}`, header values base64 (they are byte arrays there); with `dataType: "binary"` the
 * record is the value's bytes. Trigger metadata carries Key, Partition, Topic, Timestamp, Offset and Headers
 * (`<Name>Array` with `cardinality: "many"`), as KafkaTriggerBindingStrategy binds them.
 */
import type { KafkaMessage } from "kafkajs";
import type { RpcTypedData } from "../rpc-types.js";
import { jsonData, stringData, sysMetadata } from "./trigger-metadata.js";

export interface KafkaRecord {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

export type KeyDataType = "string" | "int" | "long" | "binary";

export interface KafkaDataOptions {
  binary: boolean;
  keyDataType: KeyDataType;
}

export function keyDataTypeOf(raw: unknown, where: string): KeyDataType {
  const k = String(raw ?? "string").toLowerCase();
  if (k === "string" || k === "int" || k === "long" || k === "binary") return k;
  throw new Error(`${where}: keyDataType "${String(raw)}" is not one of string, int, long, binary.`);
}

/** The key as the extension's HandleKeyDataConversion exposes it: bytes become UTF-8 text. */
function keyOf(key: Buffer | null | undefined, type: KeyDataType): string | number | null {
  if (!key) return null;
  if (type === "int" && key.length === 4) return key.readInt32BE(0);
  if (type === "long" && key.length === 8) return Number(key.readBigInt64BE(0));
  return key.toString("utf8");
}

function headersOf(message: KafkaMessage): { Key: string; Value: string | null }[] {
  const out: { Key: string; Value: string | null }[] = [];
  for (const [key, raw] of Object.entries(message.headers ?? {})) {
    for (const v of Array.isArray(raw) ? raw : [raw]) {
      out.push({ Key: key, Value: v === undefined ? null : Buffer.from(v).toString("base64") });
    }
  }
  return out;
}

/** Header values as text, for the correlation id. */
export function headerText(message: KafkaMessage, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, raw] of Object.entries(message.headers ?? {})) {
    if (key.toLowerCase() !== wanted) continue;
    const v = Array.isArray(raw) ? raw[0] : raw;
    if (v !== undefined) return Buffer.from(v).toString("utf8");
  }
  return undefined;
}

function fields(r: KafkaRecord, options: KafkaDataOptions) {
  return {
    Offset: Number(r.message.offset),
    Partition: r.partition,
    Topic: r.topic,
    Timestamp: new Date(Number(r.message.timestamp)).toISOString(),
    Key: keyOf(r.message.key, options.keyDataType),
    Headers: headersOf(r.message),
  };
}

function eventJson(r: KafkaRecord, options: KafkaDataOptions): string {
  return JSON.stringify({ ...fields(r, options), Value: r.message.value === null ? null : r.message.value.toString("utf8") });
}

const valueBytes = (r: KafkaRecord) => r.message.value ?? Buffer.alloc(0);

export function recordData(r: KafkaRecord, options: KafkaDataOptions): RpcTypedData {
  return options.binary ? { bytes: valueBytes(r) } : { string: eventJson(r, options) };
}

export function batchData(records: KafkaRecord[], options: KafkaDataOptions): RpcTypedData {
  return options.binary ? { collectionBytes: { bytes: records.map(valueBytes) } } : { collectionString: { string: records.map((r) => eventJson(r, options)) } };
}

function typed(value: unknown): RpcTypedData {
  if (typeof value === "string") return stringData(value);
  if (typeof value === "number" && Number.isInteger(value)) return { int: value };
  return jsonData(value);
}

export function recordMetadata(functionName: string, r: KafkaRecord, options: KafkaDataOptions, now: number): Record<string, RpcTypedData> {
  const out: Record<string, RpcTypedData> = { sys: sysMetadata(functionName, now) };
  for (const [k, v] of Object.entries(fields(r, options))) out[k] = typed(v);
  return out;
}

export function batchMetadata(functionName: string, records: KafkaRecord[], options: KafkaDataOptions, now: number): Record<string, RpcTypedData> {
  const out: Record<string, RpcTypedData> = { sys: sysMetadata(functionName, now) };
  const all = records.map((r) => fields(r, options));
  for (const key of ["Offset", "Partition", "Topic", "Timestamp", "Key", "Headers"] as const) out[`${key}Array`] = jsonData(all.map((f) => f[key]));
  return out;
}
