/**
 * The topology in topology/ (the one source; infra/ deploys the same files), checked against the message
 * catalog and the app's consumers (src/app/consumers.ts): each command reaches exactly one handler, each consumer
 * gets every message it reads and nothing else. The SQL filters run through the emulator's own filter compiler.
 */
import { describe, expect, it } from "vitest";
import { appEventGridConfigFile, appServiceBusConfigFile } from "../../topology/files.js";
import { loadEventGridConfig } from "../../emulator/eventgrid/config.js";
import { loadServiceBusConfig } from "../../emulator/servicebus/config.js";
import { compileFilter, type FilterInput } from "../../emulator/servicebus/filters/index.js";
import { commandConsumers, eventConsumers, notificationConsumers } from "../../src/app/consumers.js";
import { catalog, type MessageName } from "../../src/events/catalog.js";

describe("topology (topology/)", () => {
  const serviceBus = loadServiceBusConfig(appServiceBusConfigFile);
  const eventGrid = loadEventGridConfig(appEventGridConfigFile);
  const names = Object.keys(catalog) as MessageName[];

  /** The subscriptions of `topicName` whose rules accept a message whose `property` is the type of `name`. */
  function acceptingSubscriptions(topicName: string, property: string, name: MessageName): string[] {
    const topic = serviceBus.topics.find((t) => t.name === topicName);
    if (!topic) throw new Error(`servicebus.json has no topic ${topicName}`);
    const message: FilterInput = { system: () => undefined, user: (p) => (p === property ? catalog[name].type : undefined) };
    return topic.subscriptions.filter((s) => s.rules.some((r) => compileFilter(r.filter).matches(message))).map((s) => s.name);
  }

  it("gives every command of the catalog exactly one handler, the one that accepts it", () => {
    const commands = names.filter((n) => catalog[n].kind === "command");
    expect(commands.length).toBeGreaterThan(5);
    for (const name of commands) {
      const handlers = Object.entries(commandConsumers).filter(([, accepted]) => (accepted as readonly string[]).includes(name)).map(([sub]) => sub);
      expect({ name, subscriptions: acceptingSubscriptions("commands", "commandType", name) }).toEqual({ name, subscriptions: handlers });
      expect(handlers).toHaveLength(1);
    }
    // No command travels as an event, so none reaches an event consumer.
    for (const name of commands) expect(acceptingSubscriptions("events", "eventType", name)).toEqual([]);
  });

  it("routes every event and timeout a consumer reads to it, and nothing else", () => {
    for (const name of names.filter((n) => catalog[n].kind !== "command")) {
      const readers = Object.entries(eventConsumers).filter(([, read]) => (read as readonly string[]).includes(name)).map(([sub]) => sub);
      expect({ name, subscriptions: acceptingSubscriptions("events", "eventType", name).sort() }).toEqual({ name, subscriptions: readers.sort() });
    }
  });

  it("runs the purchase process on a session-enabled subscription, the others without sessions, all with duplicate detection", () => {
    const events = serviceBus.topics.find((t) => t.name === "events")!;
    for (const s of events.subscriptions) expect({ s: s.name, sessions: s.options.requiresSession }).toEqual({ s: s.name, sessions: s.name === "purchase-process" });
    for (const t of serviceBus.topics) expect(t.options.requiresDuplicateDetection).toBe(true);
    const all = serviceBus.topics.flatMap((t) => t.subscriptions);
    expect(all.map((s) => s.options.maxDeliveryCount)).toEqual(all.map(() => 5));
  });

  it("pushes exactly the catalog's notify events to notify-fan through Event Grid", () => {
    const notify = names.filter((n) => catalog[n].notify).map((n) => catalog[n].type).sort();
    const topic = eventGrid.topics.find((t) => t.name === "musicfest-events")!;
    const subscription = topic.eventSubscriptions.find((s) => s.destination.endpointType === "AzureFunction" && s.destination.functionName === "notify-fan")!;
    expect([...(subscription.filter.includedEventTypes ?? [])].sort()).toEqual(notify);
    expect(notificationConsumers["notify-fan"].map((n) => catalog[n].type).sort()).toEqual(notify);
  });
});
