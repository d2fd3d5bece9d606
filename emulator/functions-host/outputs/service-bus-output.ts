/**
 * The Service Bus output binding: each item becomes one message on the queue or topic, sent with the real SDK.
 * As in Azure (Azure/Azure-Functions#2262) only the body is set: strings as UTF-8 text, objects as JSON text,
 * Buffers as bytes, all in a data section, as the extension writes them.
 */
import type { ServiceBusMessage } from "@azure/service-bus";
import type { RpcBindingInfo } from "../rpc-types.js";
import { resolveSettingReferences } from "../host-settings.js";
import type { ServiceBusClients } from "../service-bus-clients.js";
import { serviceBusConnectionString } from "../service-bus-options.js";

export function toServiceBusMessage(item: unknown): ServiceBusMessage {
  if (Buffer.isBuffer(item)) return { body: item };
  if (typeof item === "string") return { body: Buffer.from(item, "utf8") };
  return { body: Buffer.from(JSON.stringify(item), "utf8"), contentType: "application/json" };
}

export async function sendServiceBusOutput(binding: RpcBindingInfo, items: unknown[], env: Record<string, string>, clients: ServiceBusClients, where: string): Promise<void> {
  const entitySetting = typeof binding.queueName === "string" ? binding.queueName : typeof binding.topicName === "string" ? binding.topicName : undefined;
  if (!entitySetting) throw new Error(`${where}: a Service Bus output needs queueName or topicName.`);
  const entity = resolveSettingReferences(entitySetting, env, where);
  const sender = clients.sender(serviceBusConnectionString(binding.connection as string | undefined, env, where), entity);
  await sender.sendMessages(items.map(toServiceBusMessage));
}
