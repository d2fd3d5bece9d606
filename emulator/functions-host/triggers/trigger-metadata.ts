/**
 * Trigger metadata as the host sends it: RpcTypedData values under PascalCase keys (the library camel-cases them
 * for `context.triggerMetadata`), plus the `sys` entry every trigger carries.
 */
import { randomUUID } from "node:crypto";
import type { RpcTypedData } from "../rpc-types.js";

export function jsonData(value: unknown): RpcTypedData {
  return { json: JSON.stringify(value ?? null) };
}

export function sysMetadata(functionName: string, now: number): RpcTypedData {
  return jsonData({ MethodName: functionName, UtcNow: new Date(now).toISOString(), RandGuid: randomUUID() });
}
