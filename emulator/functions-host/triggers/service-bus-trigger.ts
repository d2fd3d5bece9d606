/**
 * Service Bus triggers with the real @azure/service-bus SDK, as the Service Bus extension runs them: peek-lock
 * receivers on the queue or subscription; one message per invocation (up to maxConcurrentCalls at once, locks
 * renewed up to maxAutoLockRenewalDuration) or batches of up to maxMessageBatchSize with `cardinality: 'many'`;
 * sessions with up to maxConcurrentSessions sessions at once, one message at a time in each. With
 * autoCompleteMessages (host.json, or the function's own option) success completes and a thrown error abandons,
 * so the entity's MaxDeliveryCount dead-letters a message that keeps failing. With `sdkBinding: true` the function
 * gets each message as ServiceBusReceivedMessage binding data and may settle it through the settlement service
 * (settlement/) while it runs; the host then settles only what the app left unsettled (and nothing without
 * autoCompleteMessages).
 */
import type {
  ServiceBusClient,
  ServiceBusReceivedMessage,
  ServiceBusReceiver,
  ServiceBusSessionReceiver,
} from "@azure/service-bus";
import type { Clock } from "../../common/clock.js";
import type { Logger } from "../../common/logger.js";
import type { HostedFunction } from "../function-registry.js";
import { resolveSettingReferences } from "../host-settings.js";
import type { Invoker } from "../invoker.js";
import type { ServiceBusClients } from "../service-bus-clients.js";
import { serviceBusConnectionString, type ServiceBusHostOptions } from "../service-bus-options.js";
import type { HeldMessages } from "../settlement/held-messages.js";
import { receivedBatchData, receivedMessageData } from "../settlement/received-message-binding.js";
import { batchData, batchMetadata, messageData, messageMetadata } from "./service-bus-message.js";

// Wall-clock pause before a listener retries after a connection or session error.
const ERROR_BACKOFF_MS = 2000;

interface Listener {
  fn: HostedFunction;
  client: ServiceBusClient;
  entity: [string] | [string, string];
  description: string;
  many: boolean;
  sessions: boolean;
  autoComplete: boolean;
  /** `sdkBinding: true`: the function gets ServiceBusReceivedMessage binding data and may settle it itself. */
  sdkBinding: boolean;
}

export class ServiceBusTrigger {
  private readonly listeners: Listener[] = [];
  private readonly receivers = new Set<ServiceBusReceiver>();
  private readonly stops: (() => Promise<void>)[] = [];
  private closed = false;

  constructor(
    functions: HostedFunction[],
    env: Record<string, string>,
    private readonly options: ServiceBusHostOptions,
    clients: ServiceBusClients,
    private readonly invoker: Invoker,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly held?: HeldMessages,
  ) {
    for (const fn of functions) {
      if (fn.trigger.type.toLowerCase() !== "servicebustrigger" || fn.disabled) continue;
      const where = `Function "${fn.name}"`;
      const t = fn.trigger as Record<string, unknown>;
      const setting = (key: string) => (typeof t[key] === "string" ? resolveSettingReferences(t[key] as string, env, `${where} ${key}`) : undefined);
      const queue = setting("queueName");
      const topic = setting("topicName");
      const subscription = setting("subscriptionName");
      if (!queue && !(topic && subscription)) throw new Error(`${where}: a Service Bus trigger needs queueName, or topicName and subscriptionName.`);
      const entity: Listener["entity"] = queue ? [queue] : [topic as string, subscription as string];
      this.listeners.push({
        fn,
        client: clients.get(serviceBusConnectionString(t.connection as string | undefined, env, where)),
        entity,
        description: entity.join("/Subscriptions/"),
        many: String(t.cardinality ?? "one").toLowerCase() === "many",
        sessions: t.isSessionsEnabled === true,
        autoComplete: typeof t.autoCompleteMessages === "boolean" ? t.autoCompleteMessages : options.autoCompleteMessages,
        sdkBinding: String((t.properties as Record<string, unknown> | undefined)?.supportsDeferredBinding) === "true",
      });
    }
  }

  start(): void {
    for (const l of this.listeners) {
      if (l.sessions) for (let i = 0; i < this.options.maxConcurrentSessions; i++) void this.sessionLoop(l);
      else if (l.many) this.subscribeBatches(l);
      else this.subscribe(l);
      this.logger.info(`Service Bus trigger listening`, { function: l.fn.name, entity: l.description, cardinality: l.many ? "many" : "one", sessions: l.sessions });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled(this.stops.map((s) => s()));
    await Promise.allSettled([...this.receivers].map((r) => r.close()));
    this.receivers.clear();
  }

  private receiver(l: Listener, renewalMs: number): ServiceBusReceiver {
    const opts = { receiveMode: "peekLock" as const, maxAutoLockRenewalDurationInMs: renewalMs };
    const r = l.entity.length === 1 ? l.client.createReceiver(l.entity[0], opts) : l.client.createReceiver(l.entity[0], l.entity[1], opts);
    this.receivers.add(r);
    return r;
  }

  private async run(l: Listener, receiver: ServiceBusReceiver, messages: ServiceBusReceivedMessage[]): Promise<void> {
    const now = this.clock.now();
    const sdk = l.sdkBinding && this.held !== undefined;
    const data = l.many
      ? (sdk ? receivedBatchData : batchData)(messages)
      : (sdk ? receivedMessageData : messageData)(messages[0]);
    const triggerMetadata = l.many
      ? batchMetadata(l.fn.name, messages, now)
      : messageMetadata(l.fn.name, messages[0], now);
    const request = { inputData: [{ name: l.fn.triggerName, data }], triggerMetadata };
    const correlationId = messages[0]?.correlationId;
    // While the invocation runs, the settlement service may settle these messages with this receiver.
    const letGo = sdk ? this.held?.hold(receiver, messages) : undefined;
    let ok = true;
    try {
      await this.invoker.invoke(l.fn, { ...request, correlationId: correlationId === undefined ? undefined : String(correlationId) });
    } catch {
      ok = false;
    }
    const settledByApp = letGo?.() ?? new Set<ServiceBusReceivedMessage>();
    if (!l.autoComplete || this.closed) return;
    const settle = (m: ServiceBusReceivedMessage) => (ok ? receiver.completeMessage(m) : receiver.abandonMessage(m));
    const results = await Promise.allSettled(messages.filter((m) => !settledByApp.has(m)).map(settle));
    for (const r of results) {
      if (r.status === "rejected") this.logger.warn(`could not ${ok ? "complete" : "abandon"} a message`, { function: l.fn.name, error: String(r.reason) });
    }
  }

  private subscribe(l: Listener): void {
    const receiver = this.receiver(l, this.options.maxAutoLockRenewalDurationMs);
    const subscription = receiver.subscribe(
      {
        processMessage: (message) => this.run(l, receiver, [message]),
        processError: async (args) => {
          if (!this.closed) this.logger.warn("Service Bus receive error", { function: l.fn.name, entity: l.description, error: args.error.message });
        },
      },
      { autoCompleteMessages: false, maxConcurrentCalls: this.options.maxConcurrentCalls },
    );
    this.stops.push(() => subscription.close());
  }

  /**
   * cardinality 'many': messages stream in (up to twice maxMessageBatchSize unsettled, locks renewed) and go to the
   * function in batches, one batch at a time, as the extension's batch receive loop runs: the first message starts a
   * batch at once, and what arrives while it runs is the next batch. So a batch holds what is there, as the
   * extension's batch receive returns without waiting for more (minMessageBatchSize 1), and batches grow with the load.
   */
  private subscribeBatches(l: Listener): void {
    const receiver = this.receiver(l, this.options.maxAutoLockRenewalDurationMs);
    const waiting: { message: ServiceBusReceivedMessage; done: () => void }[] = [];
    let running = false;
    const next = async () => {
      running = true;
      while (waiting.length > 0 && !this.closed) {
        const batch = waiting.splice(0, this.options.maxMessageBatchSize);
        await this.run(l, receiver, batch.map((w) => w.message));
        for (const w of batch) w.done();
      }
      running = false;
      // Closing: what still waits is let go unsettled (its locks lapse and Service Bus delivers it again).
      if (this.closed) for (const w of waiting.splice(0)) w.done();
    };
    const subscription = receiver.subscribe(
      {
        processMessage: (message) =>
          new Promise<void>((done) => {
            waiting.push({ message, done });
            // The messages that arrive in the same turn of the event loop join the same batch.
            if (!running) setImmediate(() => void (!running && waiting.length > 0 ? next() : undefined));
          }),
        processError: async (args) => {
          if (!this.closed) this.logger.warn("Service Bus receive error", { function: l.fn.name, entity: l.description, error: args.error.message });
        },
      },
      { autoCompleteMessages: false, maxConcurrentCalls: 2 * this.options.maxMessageBatchSize },
    );
    this.stops.push(async () => {
      // Let the waiting messages go first, so none handed to processMessage is left pending when the subscription closes.
      for (const w of waiting.splice(0)) w.done();
      await subscription.close();
    });
  }

  private async sessionLoop(l: Listener): Promise<void> {
    const opts = { maxAutoLockRenewalDurationInMs: this.options.maxAutoLockRenewalDurationMs };
    while (!this.closed) {
      let receiver: ServiceBusSessionReceiver | undefined;
      let session: ReturnType<HeldMessages["holdSession"]> | undefined;
      try {
        receiver = l.entity.length === 1 ? await l.client.acceptNextSession(l.entity[0], opts) : await l.client.acceptNextSession(l.entity[0], l.entity[1], opts);
        this.receivers.add(receiver);
        // An SDK-bound function may read and write the session's state, renew its lock or release it.
        session = l.sdkBinding ? this.held?.holdSession(receiver) : undefined;
        // Drain the session in order until it stays idle for sessionIdleTimeout (or the app releases it), then take
        // the next one.
        while (!this.closed && !session?.entry.releaseRequested) {
          const messages = await receiver.receiveMessages(l.many ? this.options.maxMessageBatchSize : 1, { maxWaitTimeInMs: this.options.sessionIdleTimeoutMs });
          if (messages.length === 0) break;
          if (l.many) await this.run(l, receiver, messages);
          else for (const m of messages) await this.run(l, receiver, [m]);
        }
      } catch (err) {
        if (this.closed) return;
        const timedOut = (err as { code?: string }).code === "ServiceTimeout" || (err as { code?: string }).code === "SessionCannotBeLocked";
        if (!timedOut) {
          this.logger.warn("Service Bus session error", { function: l.fn.name, entity: l.description, error: (err as Error).message });
          await pause(ERROR_BACKOFF_MS);
        }
      } finally {
        session?.letGo();
        if (receiver) {
          this.receivers.delete(receiver);
          await receiver.close().catch(() => undefined);
        }
      }
    }
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
