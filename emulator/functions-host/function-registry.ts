/**
 * The host's view of the functions the worker registered: each function's trigger binding, its output bindings,
 * and whether the app settings disable it (`AzureWebJobs.<name>.Disabled`, as in Azure).
 */
import type { FunctionMetadata, RpcBindingInfo } from "./rpc-types.js";

export interface HostedFunction {
  readonly name: string;
  readonly metadata: FunctionMetadata;
  readonly triggerName: string;
  readonly trigger: RpcBindingInfo & { type: string };
  readonly outputs: { name: string; binding: RpcBindingInfo }[];
  readonly disabled: boolean;
}

export function isDisabled(name: string, env: Record<string, string>): boolean {
  const wanted = `azurewebjobs.${name}.disabled`.toLowerCase();
  const key = Object.keys(env).find((k) => k.toLowerCase() === wanted || k.toLowerCase() === wanted.replace(/\./g, "__"));
  return key !== undefined && /^(true|1)$/i.test(env[key].trim());
}

export function describeFunctions(metadata: FunctionMetadata[], env: Record<string, string>): HostedFunction[] {
  return metadata.map((m) => {
    const entries = Object.entries(m.bindings);
    const trigger = entries.find(([, b]) => typeof b.type === "string" && b.type.toLowerCase().endsWith("trigger"));
    if (!trigger) throw new Error(`The function "${m.name}" has no trigger binding.`);
    return {
      name: m.name,
      metadata: m,
      triggerName: trigger[0],
      trigger: trigger[1] as RpcBindingInfo & { type: string },
      outputs: entries.filter(([, b]) => b.direction === "out").map(([name, binding]) => ({ name, binding })),
      disabled: isDisabled(m.name, env),
    };
  });
}
