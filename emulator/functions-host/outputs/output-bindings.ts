/**
 * Forwards an invocation's output bindings (Service Bus, Event Grid, Kafka) after the function returns, before the
 * trigger settles: a failed send fails the invocation, as in the host. HTTP outputs are the HTTP trigger's
 * business; other types are reported once, not dropped silently.
 */
import type { Logger } from "../../common/logger.js";
import type { HostedFunction } from "../function-registry.js";
import type { RpcInvocationResponse, RpcTypedData } from "../rpc-types.js";
import type { KafkaClients } from "../kafka-clients.js";
import type { ServiceBusClients } from "../service-bus-clients.js";
import { sendEventGridOutput } from "./event-grid-output.js";
import { sendKafkaOutput } from "./kafka-output.js";
import { outputItems } from "./output-value.js";
import { sendServiceBusOutput } from "./service-bus-output.js";

export class OutputBindings {
  private readonly warned = new Set<string>();

  constructor(
    private readonly env: Record<string, string>,
    private readonly clients: ServiceBusClients,
    private readonly kafka: KafkaClients,
    private readonly logger: Logger,
  ) {}

  async forward(fn: HostedFunction, response: RpcInvocationResponse): Promise<void> {
    const sends: Promise<void>[] = [];
    for (const { name, binding } of fn.outputs) {
      const type = String(binding.type ?? "").toLowerCase();
      if (type === "http") continue;
      const data: RpcTypedData | null | undefined = name === "$return" ? response.returnValue : response.outputData?.find((o) => o.name === name)?.data;
      const items = outputItems(data);
      if (items.length === 0) continue;
      const where = `Function "${fn.name}" output "${name}"`;
      if (type === "servicebus") sends.push(sendServiceBusOutput(binding, items, this.env, this.clients, where));
      else if (type === "eventgrid") sends.push(sendEventGridOutput(binding, items, this.env, where));
      else if (type === "kafka") sends.push(sendKafkaOutput(binding, items, this.env, this.kafka, where));
      else if (!this.warned.has(`${fn.name}/${name}`)) {
        this.warned.add(`${fn.name}/${name}`);
        this.logger.warn(`The local host does not forward "${binding.type}" output bindings yet; ${where} was not sent.`);
      }
    }
    const results = await Promise.allSettled(sends);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
  }
}
