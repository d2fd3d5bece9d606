/**
 * The AsyncAPI servers: each broker twice, in Azure (host names as variables) and in the local emulator (its
 * default ports; `npm start` prints the real ones), with the security schemes each accepts.
 */
import type { JsonSchema } from "./json-schema.js";

export interface EmulatorEndpoints {
  /** host:port of the AMQP listener (default localhost:5672). */
  serviceBus: string;
  /** host:port of the Kafka endpoint (default localhost:9092). */
  kafka: string;
  /** host:port of the HTTP server that takes Event Grid publishes (default localhost:5300). */
  http: string;
}

export const DEFAULT_EMULATOR_ENDPOINTS: EmulatorEndpoints = { serviceBus: "localhost:5672", kafka: "localhost:9092", http: "localhost:5300" };

export const SERVER_IDS = {
  serviceBus: ["servicebus", "servicebus-emulator"],
  kafka: ["eventhubs-kafka", "eventhubs-kafka-emulator"],
  eventGrid: ["eventgrid", "eventgrid-emulator"],
} as const;

const ENTRA_TOKEN_URL = "https://login.microsoftonline.com/organizations/oauth2/v2.0/token";

function entra(scope: string, description: string): JsonSchema {
  return {
    type: "oauth2",
    description,
    flows: { clientCredentials: { tokenUrl: ENTRA_TOKEN_URL, availableScopes: { [scope]: "Data-plane access; the Azure role assignment decides what is allowed." } } },
    scopes: [scope],
  };
}

export function securitySchemes(): JsonSchema {
  return {
    serviceBusSas: {
      type: "apiKey",
      in: "password",
      description:
        "Shared access signature: the connection string's SharedAccessKeyName and SharedAccessKey sign a token that the client puts to the " +
        "`$cbs` node after connecting (claims-based security). The emulator's connection string has `UseDevelopmentEmulator=true`.",
    },
    serviceBusEntra: entra(
      "https://servicebus.azure.net/.default",
      "Microsoft Entra ID (managed identity in Azure, `ServiceBusConnection__fullyQualifiedNamespace`): roles Azure Service Bus Data Sender / Data Receiver.",
    ),
    eventHubsSaslPlain: {
      type: "plain",
      description: "SASL PLAIN over TLS: user name `$ConnectionString`, password the Event Hubs connection string (`EventHubsConnection`).",
    },
    eventHubsOAuthBearer: entra(
      "https://eventhubs.azure.net/.default",
      "SASL OAUTHBEARER with a Microsoft Entra token (`EventHubsConnection__fullyQualifiedNamespace` + identity; kafkajs `oauthBearerProvider`): roles Azure Event Hubs Data Sender / Data Receiver.",
    ),
    eventGridKey: { type: "httpApiKey", name: "aeg-sas-key", in: "header", description: "The topic's access key (`MusicFestEvents__topicKey`)." },
    eventGridEntra: entra("https://eventgrid.azure.net/.default", "Microsoft Entra ID (managed identity in Azure): role EventGrid Data Sender."),
  };
}

const ref = (scheme: string) => ({ $ref: `#/components/securitySchemes/${scheme}` });

export function servers(local: EmulatorEndpoints, serviceBusNamespace: string): JsonSchema {
  const namespace = { description: "The Service Bus / Event Hubs namespace name.", examples: ["musicfest-prod"] };
  const [serviceBus, serviceBusEmulator] = SERVER_IDS.serviceBus;
  const [kafka, kafkaEmulator] = SERVER_IDS.kafka;
  const [eventGrid, eventGridEmulator] = SERVER_IDS.eventGrid;
  return {
    [serviceBus]: {
      host: "{namespace}.servicebus.windows.net",
      protocol: "amqps",
      protocolVersion: "1.0",
      title: "Azure Service Bus",
      description: "AMQP 1.0 over TLS (port 5671; the SDK can also tunnel AMQP over WebSockets on 443). Topics need the Standard tier or above.",
      variables: { namespace },
      security: [ref("serviceBusSas"), ref("serviceBusEntra")],
      tags: [{ name: "azure" }],
    },
    [serviceBusEmulator]: {
      host: local.serviceBus,
      protocol: "amqp",
      protocolVersion: "1.0",
      title: "Service Bus emulator",
      description: `The local emulator (\`npm start\` runs it with this topology; namespace \`${serviceBusNamespace}\`): plain AMQP 1.0, SAS with the emulator's key.`,
      security: [ref("serviceBusSas")],
      tags: [{ name: "local" }],
    },
    [kafka]: {
      host: "{namespace}.servicebus.windows.net:9093",
      protocol: "kafka-secure",
      title: "Azure Event Hubs, Kafka endpoint",
      description: "Kafka protocol over TLS (Standard tier or above). Event hubs are Kafka topics; they are never auto-created.",
      variables: { namespace },
      security: [ref("eventHubsSaslPlain"), ref("eventHubsOAuthBearer")],
      tags: [{ name: "azure" }],
    },
    [kafkaEmulator]: {
      host: local.kafka,
      protocol: "kafka",
      title: "Event Hubs Kafka endpoint emulator",
      description: "The local emulator's Kafka endpoint: SASL PLAIN without TLS, same user name and connection-string password as Azure.",
      security: [ref("eventHubsSaslPlain")],
      tags: [{ name: "local" }],
    },
    [eventGrid]: {
      host: "{topicName}.{region}-1.eventgrid.azure.net",
      protocol: "https",
      title: "Azure Event Grid custom topic",
      description: "Publishing: `POST /api/events` with a batch of CloudEvents (`application/cloudevents-batch+json`). Delivery: Event Grid pushes to each subscription's endpoint.",
      variables: { topicName: { description: "The custom topic's name.", examples: ["musicfest-events"] }, region: { description: "The topic's Azure region.", examples: ["westeurope"] } },
      security: [ref("eventGridKey"), ref("eventGridEntra")],
      tags: [{ name: "azure" }],
    },
    [eventGridEmulator]: {
      host: local.http,
      pathname: "/eventgrid/topics/{topicName}",
      protocol: "http",
      title: "Event Grid emulator",
      description: "The local emulator's topics, on its HTTP port (the SDK needs `allowInsecureConnection: true`).",
      variables: { topicName: { description: "The custom topic's name.", examples: ["musicfest-events"] } },
      security: [ref("eventGridKey")],
      tags: [{ name: "local" }],
    },
  };
}
