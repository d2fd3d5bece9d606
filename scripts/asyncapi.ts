/**
 * `npm run asyncapi`: writes docs/asyncapi.json, the AsyncAPI 3.0 document of the system's messaging, from the
 * message catalog and the topology in topology/. `npm run asyncapi -- --check` writes nothing and fails when
 * the checked-in file is stale (CI runs the same check as a test: test/unit/docs/asyncapi.test.ts).
 *
 * The topology is read with the emulator's own loaders, and each subscription's rules run on the emulator's SQL
 * filter engine, so the document lists what the emulator (and Azure, with the same file) would really deliver.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { loadEventGridConfig } from "../emulator/eventgrid/config.js";
import type { DestinationConfig } from "../emulator/eventgrid/config-types.js";
import { loadEventHubsConfig } from "../emulator/kafka/config.js";
import { loadServiceBusConfig } from "../emulator/servicebus/config.js";
import { compileFilter, type FilterInput } from "../emulator/servicebus/filters/index.js";
import type { FilterDescription } from "../emulator/servicebus/model/entity-options.js";
import { topology as entityNames } from "../src/config.js";
import { buildAsyncApiDocument } from "../src/docs/asyncapi.js";
import type { MessageRouting, MessagingTopology, RoutedMessage } from "../src/docs/messaging-topology.js";
import { stableJson } from "../src/docs/stable-json.js";
import { scriptArgs } from "./script-args.js";

const root = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));
export const ASYNCAPI_FILE = root("docs/asyncapi.json");

export const routing: MessageRouting = {
  serviceBusTopic: { event: entityNames.topics.events, timeout: entityNames.topics.events, command: entityNames.topics.commands },
  eventHub: entityNames.eventHub,
  eventGridTopic: entityNames.eventGridTopic,
};

function filterText(filter: FilterDescription): string {
  switch (filter.type) {
    case "sql":
      return filter.expression;
    case "true":
      return "TrueFilter (every message)";
    case "false":
      return "FalseFilter (no message)";
    case "correlation": {
      const { type: _type, properties, ...system } = filter;
      const pairs = [...Object.entries(system), ...Object.entries(properties ?? {})].map(([k, v]) => `${k} = '${String(v)}'`);
      return `correlation filter ${pairs.join(" AND ")}`;
    }
  }
}

function filterInput(message: RoutedMessage): FilterInput {
  return { system: (name) => message.system[name], user: (name) => message.application[name], userPropertyNames: () => Object.keys(message.application) };
}

function destinationText(destination: DestinationConfig): string {
  switch (destination.endpointType) {
    case "AzureFunction":
      return `the function \`${destination.functionName}\` of the app \`${destination.functionApp}\``;
    case "WebHook":
      return `the webhook ${destination.endpointUrl}`;
    default:
      return `the Service Bus ${destination.endpointType === "ServiceBusQueue" ? "queue" : "topic"} \`${destination.entityName}\``;
  }
}

export function loadMessagingTopology(configDir = root("topology")): MessagingTopology {
  const serviceBus = loadServiceBusConfig(`${configDir}/servicebus.json`);
  const eventHubs = loadEventHubsConfig(`${configDir}/eventhubs.json`);
  const eventGrid = loadEventGridConfig(`${configDir}/eventgrid.json`);
  return {
    serviceBus: {
      namespace: serviceBus.name,
      topics: serviceBus.topics.map((topic) => ({
        name: topic.name,
        requiresDuplicateDetection: topic.options.requiresDuplicateDetection,
        duplicateDetectionHistoryTimeWindowMs: topic.options.duplicateDetectionHistoryTimeWindowMs,
        defaultMessageTimeToLiveMs: topic.options.defaultMessageTimeToLiveMs,
        maxMessageSizeInKilobytes: topic.options.maxMessageSizeInKilobytes,
        subscriptions: topic.subscriptions.map((subscription) => {
          const filters = subscription.rules.map((rule) => compileFilter(rule.filter));
          return {
            name: subscription.name,
            requiresSession: subscription.options.requiresSession,
            lockDurationMs: subscription.options.lockDurationMs,
            maxDeliveryCount: subscription.options.maxDeliveryCount,
            deadLetteringOnMessageExpiration: subscription.options.deadLetteringOnMessageExpiration,
            rules: subscription.rules.map((rule) => ({ name: rule.name, filter: filterText(rule.filter), ...(rule.action ? { action: rule.action.expression } : {}) })),
            accepts: (message: RoutedMessage) =>
              filters.some((filter) => {
                try {
                  return filter.matches(filterInput(message));
                } catch {
                  return false; // A filter that cannot evaluate the message does not take it.
                }
              }),
          };
        }),
      })),
    },
    eventHubs: {
      namespace: eventHubs.namespace,
      eventHubs: eventHubs.eventHubs.map((hub) => ({
        name: hub.name,
        partitionCount: hub.partitionCount,
        consumerGroups: hub.consumerGroups.filter((g) => !g.startsWith("$")),
        retentionMs: hub.retentionMs,
      })),
    },
    eventGrid: {
      topics: eventGrid.topics.map((topic) => ({
        name: topic.name,
        inputSchema: topic.inputSchema,
        subscriptions: topic.eventSubscriptions.map((s) => ({
          name: s.name,
          destination: destinationText(s.destination),
          deliverySchema: s.eventDeliverySchema,
          ...(s.filter.includedEventTypes ? { includedEventTypes: s.filter.includedEventTypes } : {}),
          subjectBeginsWith: s.filter.subjectBeginsWith,
          subjectEndsWith: s.filter.subjectEndsWith,
          advancedFilters: s.filter.advancedFilters,
          maxDeliveryAttempts: s.retryPolicy.maxDeliveryAttempts,
          eventTimeToLiveInMinutes: s.retryPolicy.eventTimeToLiveInMinutes,
        })),
      })),
    },
  };
}

/** The document as the file holds it. */
export function renderAsyncApi(): string {
  const { version } = JSON.parse(readFileSync(root("package.json"), "utf8")) as { version: string };
  return stableJson(buildAsyncApiDocument({ topology: loadMessagingTopology(), routing, version }));
}

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

const usage = `Usage: npm run asyncapi [-- --check]
Writes docs/asyncapi.json (AsyncAPI 3.0) from the message catalog and the topology in topology/.
  --check   write nothing; exit 1 when the checked-in file is out of date
  --help    this text`;

function main(): void {
  const { values } = scriptArgs({ usage, options: { check: { type: "boolean" } } });
  const text = renderAsyncApi();
  const relative = "docs/asyncapi.json";
  if (values.check) {
    if (readOrEmpty(ASYNCAPI_FILE) !== text) {
      console.error(`${relative} is out of date with the catalog or the topology: run \`npm run asyncapi\` and commit it.`);
      process.exit(1);
    }
    console.log(`${relative} is up to date.`);
    return;
  }
  writeFileSync(ASYNCAPI_FILE, text);
  console.log(`Wrote ${relative}.`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    main();
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
