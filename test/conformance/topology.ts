/**
 * The entities the conformance clients use, one set per client so that no two clients ever read each other's
 * messages: Service Bus queues/topics, Event Hubs (Kafka topics) and Event Grid topics whose subscriptions deliver
 * into Service Bus queues (so a client checks delivery with the same SDK family, no webhook to host).
 * Kept in code, not JSON files, so the names the clients get in their environment cannot drift from the config.
 */

const namespace = "sbemulatorns";
const sbResource =
  "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/conformance/providers/Microsoft.ServiceBus" +
  `/namespaces/${namespace}`;

/** Names handed to the clients as environment variables (see clients.ts). */
export const entities = {
  dotnetQueue: "dotnet-queue",
  dotnetSessionQueue: "dotnet-session-queue",
  dotnetTopic: "dotnet-topic",
  dotnetSubscription: "dotnet-sub",
  egEventGridQueue: "eg-eventgrid-schema",
  egCloudEventQueue: "eg-cloudevent-schema",
  egCustomQueue: "eg-custom-schema",
  protonQueue: "proton-queue",
  pythonSbQueue: "python-sb-queue",
  dotnetHub: "dotnet-hub",
  dotnetCodecHub: "dotnet-codec-hub",
  kcatHub: "kcat-hub",
  kafkaPythonHub: "kafka-python-hub",
  confluentPythonHub: "confluent-python-hub",
  javaStyleHub: "java-style-hub",
  egEventGridTopic: "conformance-eventgrid-schema",
  egCloudEventTopic: "conformance-cloudevent-schema",
  egCustomTopic: "conformance-custom-schema",
  egPythonTopic: "conformance-python-sas",
  egPythonQueue: "eg-python-sas",
} as const;

const e = entities;

export const serviceBusConfig = {
  UserConfig: {
    Namespaces: [
      {
        Name: namespace,
        Queues: [
          { Name: e.dotnetQueue, Properties: { MaxDeliveryCount: 5, LockDuration: "PT30S" } },
          { Name: e.dotnetSessionQueue, Properties: { RequiresSession: true } },
          { Name: e.egEventGridQueue },
          { Name: e.egCloudEventQueue },
          { Name: e.egCustomQueue },
          { Name: e.egPythonQueue },
          { Name: e.protonQueue },
          { Name: e.pythonSbQueue },
        ],
        Topics: [{ Name: e.dotnetTopic, Subscriptions: [{ Name: e.dotnetSubscription }] }],
      },
    ],
    Logging: { Type: "File" },
  },
};

const hub = (name: string, partitions = 1) => ({ Name: name, PartitionCount: partitions, ConsumerGroups: [] });

export const eventHubsConfig = {
  UserConfig: {
    NamespaceConfig: [
      {
        Type: "EventHub",
        Name: "conformancens",
        Entities: [e.dotnetHub, e.dotnetCodecHub, e.kcatHub, e.kafkaPythonHub, e.confluentPythonHub, e.javaStyleHub]
          .map((name) => hub(name)),
      },
    ],
    LoggingConfig: { Type: "File" },
  },
};

const toQueue = (queue: string, deliverySchema: string) => ({
  name: `to-${queue}`,
  properties: {
    destination: { endpointType: "ServiceBusQueue", properties: { resourceId: `${sbResource}/queues/${queue}` } },
    eventDeliverySchema: deliverySchema,
  },
});

export const eventGridConfig = {
  topics: [
    {
      name: e.egEventGridTopic,
      properties: { inputSchema: "EventGridSchema" },
      eventSubscriptions: [toQueue(e.egEventGridQueue, "EventGridSchema")],
    },
    {
      name: e.egCloudEventTopic,
      properties: { inputSchema: "CloudEventSchemaV1_0" },
      eventSubscriptions: [toQueue(e.egCloudEventQueue, "CloudEventSchemaV1_0")],
    },
    {
      name: e.egCustomTopic,
      properties: {
        inputSchema: "CustomEventSchema",
        inputSchemaMapping: {
          inputSchemaMappingType: "Json",
          properties: {
            id: { sourceField: "orderId" },
            eventType: { sourceField: "kind" },
            subject: { defaultValue: "conformance" },
            dataVersion: { defaultValue: "1.0" },
          },
        },
      },
      eventSubscriptions: [toQueue(e.egCustomQueue, "CustomInputSchema")],
    },
    {
      name: e.egPythonTopic,
      properties: { inputSchema: "EventGridSchema" },
      eventSubscriptions: [toQueue(e.egPythonQueue, "EventGridSchema")],
    },
  ],
};
