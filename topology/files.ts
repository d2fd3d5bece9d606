/**
 * Where the ticketing system's messaging topology lives: the one source of its queues, topics, subscriptions, rules,
 * event hubs and Event Grid subscriptions, for `npm start`, the tests and infra/ (which loads the same JSON files).
 * The emulator package does not ship these files: run on its own it starts with its neutral sample topology, and
 * whoever runs the ticketing system passes these paths to it.
 */
import { fileURLToPath } from "node:url";

const file = (name: string) => fileURLToPath(new URL(name, import.meta.url));

export const topologyDir = fileURLToPath(new URL("./", import.meta.url));
/** Service Bus, in the official Service Bus emulator's Config.json format. */
export const appServiceBusConfigFile = file("./servicebus.json");
/** Event hubs and consumer groups, in the official Event Hubs emulator's Config.json format. */
export const appEventHubsConfigFile = file("./eventhubs.json");
/** Event Grid topics and event subscriptions, with ARM property names. */
export const appEventGridConfigFile = file("./eventgrid.json");

/** The three files as `startEmulator()` options. */
export const appTopology = {
  servicebusConfig: appServiceBusConfigFile,
  eventhubsConfig: appEventHubsConfigFile,
  eventgridConfig: appEventGridConfigFile,
} as const;
