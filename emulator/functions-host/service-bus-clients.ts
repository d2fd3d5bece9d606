/**
 * One @azure/service-bus client per connection string, shared by the host's triggers and output bindings, and one
 * sender per entity for the outputs (a sender is an AMQP link: opening one per invocation costs round trips).
 */
import { ServiceBusClient, type ServiceBusSender } from "@azure/service-bus";

export class ServiceBusClients {
  private readonly clients = new Map<string, ServiceBusClient>();
  private readonly senders = new Map<string, ServiceBusSender>();

  get(connectionString: string): ServiceBusClient {
    let client = this.clients.get(connectionString);
    if (!client) {
      client = new ServiceBusClient(connectionString, { retryOptions: { maxRetries: 3, timeoutInMs: 30_000 } });
      this.clients.set(connectionString, client);
    }
    return client;
  }

  sender(connectionString: string, entity: string): ServiceBusSender {
    const key = JSON.stringify([connectionString, entity]);
    let sender = this.senders.get(key);
    if (!sender) {
      sender = this.get(connectionString).createSender(entity);
      this.senders.set(key, sender);
    }
    return sender;
  }

  async close(): Promise<void> {
    const senders = [...this.senders.values()];
    this.senders.clear();
    await Promise.allSettled(senders.map((s) => s.close()));
    const all = [...this.clients.values()];
    this.clients.clear();
    await Promise.allSettled(all.map((c) => c.close()));
  }
}
