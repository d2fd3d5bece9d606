/**
 * How the benches learn that a purchase reached its final state without polling each one: the system already
 * publishes every PurchaseCompleted and PurchaseCancelled to the Service Bus topic `events` (the outbox relay, as
 * the e-mail service receives them), so the bench adds its own subscription with a SQL filter on those two types
 * (through the SDK's administration client, as an operator would) and receives them pushed over AMQP, in batches,
 * receive-and-delete. Cost to the system: one more copy of two messages per purchase in the broker, instead of a
 * request per purchase, or a table scan every 100 ms that grows with the table. Only the public topology is used
 * (topic, event types, the CloudEvent body), so it works whatever the handlers and the storage do inside.
 * Each outcome carries the CloudEvent's `time` (set when the handler decided it, just before its commit): the
 * benches time POST -> final state with it, as before, so the push's own delay is not counted.
 */
import { ServiceBusAdministrationClient, type ServiceBusClient, type ServiceBusReceiver } from "@azure/service-bus";
import { createServiceBusClient } from "../../src/messaging/service-bus-message-bus.js";

const COMPLETED = "MusicFest.Purchases.PurchaseCompleted.v1";
const CANCELLED = "MusicFest.Purchases.PurchaseCancelled.v1";

export interface PurchaseOutcome {
  purchaseId: string;
  concertId: string;
  state: "completed" | "cancelled";
  tier: string;
  quantity: number;
  /** Tickets issued (completed) or 0. */
  tickets: number;
  /** Why a cancelled purchase was cancelled (sold-out, payment-declined...). */
  reason?: string;
  /** The final event's time, ms since the epoch. */
  at: number;
}

interface CloudEventBody {
  type?: string;
  time?: string;
  data?: {
    purchaseId?: string;
    concertId?: string;
    tier?: string;
    quantity?: number;
    ticketIds?: unknown[];
    reason?: string;
  };
}

/** One outcome from a message body, or undefined for a body that is not one (the bench counts those). */
export function outcomeOf(body: unknown): PurchaseOutcome | undefined {
  const text = typeof body === "string" ? body : Buffer.isBuffer(body) ? body.toString("utf8") : undefined;
  const parsed: unknown = text === undefined ? body : JSON.parse(text);
  const event = parsed as CloudEventBody;
  const data = event?.data;
  if (!data?.purchaseId || (event.type !== COMPLETED && event.type !== CANCELLED)) return undefined;
  const completed = event.type === COMPLETED;
  return {
    purchaseId: data.purchaseId,
    concertId: data.concertId ?? "",
    state: completed ? "completed" : "cancelled",
    tier: data.tier ?? "",
    quantity: data.quantity ?? 0,
    tickets: completed ? (data.ticketIds?.length ?? 0) : 0,
    ...(data.reason ? { reason: data.reason } : {}),
    at: Date.parse(event.time ?? ""),
  };
}

export class PurchaseOutcomes {
  private readonly seen = new Map<string, PurchaseOutcome>();
  private readonly waiters = new Map<string, (o: PurchaseOutcome) => void>();
  private receiver: ServiceBusReceiver | undefined;
  private client: ServiceBusClient | undefined;
  /** Outcomes delivered again (Service Bus delivers at least once): counted, not applied twice. */
  duplicates = 0;

  private constructor(private readonly subscription: string) {}

  /** Creates the subscription (if absent) and starts receiving. */
  static async start(options: { connectionString: string; emulatorHttpUrl: string; subscription?: string }) {
    const watcher = new PurchaseOutcomes(options.subscription ?? "bench-outcomes");
    const admin = new ServiceBusAdministrationClient(options.connectionString, { retryOptions: { maxRetries: 2 } });
    // The SDK always builds https://<Endpoint host>/...; the emulator's admin API is on its plain HTTP port.
    admin.pipeline.addPolicy({
      name: "emulatorHttp",
      sendRequest: (request, next) => {
        request.url = request.url.replace(/^https:\/\/[^/]+/, options.emulatorHttpUrl);
        request.allowInsecureConnection = true;
        return next(request);
      },
    });
    if (!(await admin.subscriptionExists("events", watcher.subscription))) {
      const sqlExpression = `eventType IN ('${COMPLETED}', '${CANCELLED}')`;
      const defaultRuleOptions = { name: "outcomes", filter: { sqlExpression } };
      await admin.createSubscription("events", watcher.subscription, { defaultRuleOptions });
    }
    watcher.client = createServiceBusClient({ kind: "connectionString", connectionString: options.connectionString });
    const receiveMode = "receiveAndDelete";
    watcher.receiver = watcher.client.createReceiver("events", watcher.subscription, { receiveMode });
    watcher.receiver.subscribe(
      {
        processMessage: async (message) => watcher.record(message.body),
        processError: async ({ error }) => console.error(`bench outcomes receiver: ${error.message}`),
      },
      { maxConcurrentCalls: 1 },
    );
    return watcher;
  }

  private record(body: unknown): void {
    const outcome = outcomeOf(body);
    if (!outcome) return;
    if (this.seen.has(outcome.purchaseId)) {
      this.duplicates++;
      return;
    }
    this.seen.set(outcome.purchaseId, outcome);
    this.waiters.get(outcome.purchaseId)?.(outcome);
    this.waiters.delete(outcome.purchaseId);
  }

  /** Resolves with the purchase's outcome, or undefined after `timeoutMs` (the caller counts it as pending). */
  wait(purchaseId: string, timeoutMs: number): Promise<PurchaseOutcome | undefined> {
    const known = this.seen.get(purchaseId);
    if (known) return Promise.resolve(known);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(purchaseId);
        resolve(undefined);
      }, timeoutMs);
      this.waiters.set(purchaseId, (o) => {
        clearTimeout(timer);
        resolve(o);
      });
    });
  }

  get(purchaseId: string): PurchaseOutcome | undefined {
    return this.seen.get(purchaseId);
  }

  async close(): Promise<void> {
    await this.receiver?.close();
    await this.client?.close();
  }
}
