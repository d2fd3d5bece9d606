/**
 * Trigger metadata as the host sends it: RpcTypedData values under PascalCase keys (the library camel-cases them
 * for `context.triggerMetadata`), plus the `sys` entry every trigger carries.
 */
import { randomUUID } from "node:crypto";
import type { RpcTypedData } from "../rpc-types.js";

export function jsonData(value: unknown): RpcTypedData {
  return { json: JSON.stringify(value ?? null) };
}

// Text the library's tryJsonParse could turn into a value (as it does under the real host: a MessageId "123"
// arrives as the number 123): objects, arrays, JSON strings, numbers, true, false, null.
const MAYBE_JSON = /^\s*(?:[[{"]|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\s*$|(?:true|false|null)\s*$)/;

/**
 * A string as trigger metadata. The library JSON-parses every `string` value and keeps the text when that throws;
 * text that cannot be JSON is sent JSON-encoded instead, which gives the same value without the exception, a
 * measurable cost per invocation.
 */
export function stringData(value: string): RpcTypedData {
  return MAYBE_JSON.test(value) ? { string: value } : { json: JSON.stringify(value) };
}

export function sysMetadata(functionName: string, now: number): RpcTypedData {
  return jsonData({ MethodName: functionName, UtcNow: new Date(now).toISOString(), RandGuid: randomUUID() });
}
