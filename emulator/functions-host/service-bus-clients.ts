/** One @azure/service-bus client per connection string, shared by the host's triggers and output bindings. */
import { ServiceBusClient } from "@azure/service-bus";

export class ServiceBusClients {
  private readonly clients = new Map<string, ServiceBusClient>();

  get(connectionString: string): ServiceBusClient {
    let client = this.clients.get(connectionString);
    if (!client) {
      client = new ServiceBusClient(connectionString, { retryOptions: { maxRetries: 3, timeoutInMs: 30_000 } });
      this.clients.set(connectionString, client);
    }
    return client;
  }

  async close(): Promise<void> {
    const all = [...this.clients.values()];
    this.clients.clear();
    await Promise.allSettled(all.map((c) => c.close()));
  }
}
