/**
 * startEventGrid(): custom topics from the config, their publish endpoints on the shared HTTP port, and push delivery
 * to each subscription. Delivery (and the webhook handshakes) starts once `setBaseUrl()` tells the service the HTTP
 * address, which is known only after the server listens; events published before that wait in their queues.
 */
import path from "node:path";
import type { Clock } from "../common/clock.js";
import type { EmulatorHttpServer } from "../common/http-server.js";
import type { Logger } from "../common/logger.js";
import type { EventGridConfig } from "./config-types.js";
import { BlobDeadLetterWriter, type DeadLetterWriter, FolderDeadLetterWriter } from "./delivery/dead-letter-writer.js";
import { DeliveryObservers } from "./delivery/delivery-observer.js";
import { createDestination } from "./delivery/destinations.js";
import { FilePendingStore } from "./delivery/pending-store.js";
import { SubscriptionDispatcher } from "./delivery/subscription-dispatcher.js";
import type { SubscriptionState } from "./delivery/subscription-state.js";
import { EventGridTopic } from "./model/topic.js";
import { PUBLISH_PATH, registerEventGridRoutes } from "./routes.js";
import type { ServiceBusEnqueuer } from "../common/service-bus-enqueuer.js";
import { WebhookUpdateError } from "./webhook-update-error.js";

export { loadEventGridConfig, parseEventGridConfig } from "./config.js";
export type { EventGridConfig } from "./config-types.js";
export type { EnqueuedMessage, ServiceBusEnqueuer } from "../common/service-bus-enqueuer.js";
export type { SubscriptionState } from "./delivery/subscription-state.js";
export { WebhookUpdateError } from "./webhook-update-error.js";

export interface EventGridTopicInfo {
  name: string;
  /** ARM id stamped on delivered events as `topic`. */
  id: string;
  /** Publish endpoint for EventGridPublisherClient (empty until setBaseUrl()). */
  endpoint: string;
  key: string;
}

export interface EventGridService {
  readonly topics: EventGridTopicInfo[];
  /** Who is told of each publish, delivery, retry and dead-letter (the dashboard sets it). */
  readonly deliveryObservers: DeliveryObservers;
  /** Every topic with its subscriptions' config (filters, destination) and delivery state, for the dashboard. */
  describe(): EventGridTopicView[];
  /** Sets the HTTP address (e.g. http://localhost:5300) and starts delivery. */
  setBaseUrl(url: string): void;
  subscriptionState(topic: string, subscription: string): SubscriptionState | undefined;
  /**
   * Points a WebHook subscription at another endpoint (what `az eventgrid event-subscription update --endpoint`
   * does): the handshake runs again first. Tests and local runs use it to aim a subscription at a receiver on a
   * free port. Throws WebhookUpdateError when the topic or subscription is unknown or not a WebHook.
   */
  updateWebhookEndpoint(topic: string, subscription: string, endpointUrl: string): SubscriptionState;
  /** Resolves once every subscription (or the one named) has nothing queued, in flight or waiting for a retry. */
  whenIdle(topic?: string, subscription?: string): Promise<void>;
  /** Resolves once no delivery or handshake is in flight or ready to go (retries may wait for the clock). */
  whenQuiet(topic?: string, subscription?: string): Promise<void>;
  close(): Promise<void>;
}

export interface EventGridTopicView {
  name: string;
  published: number;
  unmatched: number;
  subscriptions: { filter: unknown; state: SubscriptionState }[];
}

export interface StartEventGridOptions {
  config: EventGridConfig;
  http: EmulatorHttpServer;
  clock: Clock;
  logger: Logger;
  /** Durable mode: pending events are journaled here, and folder dead-letters go under it. */
  dataDir?: string;
  serviceBus?: ServiceBusEnqueuer;
  /** Folder for dead-letters of storage accounts without a connection string (default `<dataDir or .data>/eventgrid/dead-letters`). */
  deadLetterDir?: string;
}

export function startEventGrid(opts: StartEventGridOptions): EventGridService {
  const { config, clock, logger } = opts;
  let baseUrl = "";
  const deadLetterRoot = opts.deadLetterDir ?? path.join(opts.dataDir ?? path.resolve(".data"), "eventgrid", "dead-letters");
  const topics = new Map<string, EventGridTopic>();
  const deadLetterWriters = new Map<string, DeadLetterWriter>();
  const deliveryObservers = new DeliveryObservers();

  const writerFor = (account: string, container: string): { writer: DeadLetterWriter; location: string } => {
    const key = `${account}/${container}`;
    let writer = deadLetterWriters.get(key);
    const connectionString = config.storageAccounts[account];
    if (!writer) {
      writer = connectionString ? new BlobDeadLetterWriter(connectionString, container) : new FolderDeadLetterWriter(path.join(deadLetterRoot, account, container));
      deadLetterWriters.set(key, writer);
    }
    return { writer, location: connectionString ? `blob ${account}/${container}` : `folder ${path.join(deadLetterRoot, account, container)}` };
  };

  for (const topicConfig of config.topics) {
    const topic = new EventGridTopic(topicConfig, deliveryObservers);
    const store = opts.dataDir ? new FilePendingStore(path.join(opts.dataDir, "eventgrid", "pending", topicConfig.name.toLowerCase())) : undefined;
    for (const sub of topicConfig.eventSubscriptions) {
      const destination = createDestination(topicConfig, sub, { clock, functionApps: config.functionApps, serviceBus: opts.serviceBus });
      const dispatcher = new SubscriptionDispatcher(sub, {
        topicName: topicConfig.name,
        clock,
        logger: logger.child(`${topicConfig.name}/${sub.name}`),
        destination,
        deadLetter: sub.deadLetter ? writerFor(sub.deadLetter.accountName, sub.deadLetter.containerName) : undefined,
        store,
        observers: deliveryObservers,
        validationUrl: (code) => `${baseUrl}/eventgrid/topics/${topicConfig.name}/eventSubscriptions/${sub.name}/validate?id=${encodeURIComponent(code)}`,
      });
      if (store) {
        const pending = store.load(sub.name);
        if (pending.length > 0) {
          dispatcher.enqueue(pending, false);
          logger.info("re-queued pending events from the data directory", { topic: topicConfig.name, subscription: sub.name, count: pending.length });
        }
      }
      topic.add(dispatcher);
    }
    topics.set(topicConfig.name.toLowerCase(), topic);
  }

  const endpointOf = (name: string) => (baseUrl ? `${baseUrl}${PUBLISH_PATH(name)}` : "");
  const updateWebhookEndpoint = (topicName: string, subscription: string, endpointUrl: string): SubscriptionState => {
    const topic = topics.get(topicName.toLowerCase());
    const dispatcher = topic?.subscription(subscription);
    if (!topic || !dispatcher) throw new WebhookUpdateError(404, `The event subscription ${topicName}/${subscription} does not exist.`);
    const current = dispatcher.config.destination;
    if (current.endpointType !== "WebHook") throw new WebhookUpdateError(400, `The event subscription ${topicName}/${subscription} delivers to ${current.endpointType}; only a WebHook's endpointUrl can be changed here.`);
    if (!URL.canParse(endpointUrl) || !/^https?:$/.test(new URL(endpointUrl).protocol)) throw new WebhookUpdateError(400, `endpointUrl must be an absolute http(s) URL, got ${JSON.stringify(endpointUrl)}.`);
    const updated = { ...dispatcher.config, destination: { ...current, endpointUrl } };
    dispatcher.replaceDestination(updated, createDestination(topic.config, updated, { clock, functionApps: config.functionApps, serviceBus: opts.serviceBus }));
    logger.info("webhook endpoint updated", { topic: topic.config.name, subscription: dispatcher.config.name, endpointUrl });
    return dispatcher.snapshot();
  };
  registerEventGridRoutes(opts.http, { topics, clock, logger, endpointOf, updateWebhookEndpoint });

  const dispatchers = (topic?: string, subscription?: string) =>
    [...topics.values()]
      .filter((t) => topic === undefined || t.config.name.toLowerCase() === topic.toLowerCase())
      .flatMap((t) => [...t.dispatchers.values()])
      .filter((d) => subscription === undefined || d.config.name.toLowerCase() === subscription.toLowerCase());

  return {
    get topics() {
      return config.topics.map((t) => ({ name: t.name, id: t.armId, endpoint: endpointOf(t.name), key: t.key }));
    },
    setBaseUrl(url: string) {
      baseUrl = url.replace(/\/$/, "");
      for (const d of dispatchers()) d.start();
    },
    updateWebhookEndpoint,
    deliveryObservers,
    describe() {
      return [...topics.values()].map((t) => ({
        name: t.config.name,
        published: t.published,
        unmatched: t.unmatched,
        subscriptions: [...t.dispatchers.values()].map((d) => ({ filter: d.config.filter, state: d.snapshot() })),
      }));
    },
    subscriptionState(topic: string, subscription: string) {
      return topics.get(topic.toLowerCase())?.subscription(subscription)?.snapshot();
    },
    async whenIdle(topic?: string, subscription?: string) {
      await Promise.all(dispatchers(topic, subscription).map((d) => d.whenIdle()));
    },
    async whenQuiet(topic?: string, subscription?: string) {
      await Promise.all(dispatchers(topic, subscription).map((d) => d.whenQuiet()));
    },
    async close() {
      for (const d of dispatchers()) d.close();
    },
  };
}
