// Event Hubs Standard namespace (Standard and above serve the Kafka endpoint on port 9093) with the event hubs and
// consumer groups of emulator/config/eventhubs.json (the official Event Hubs emulator's Config.json).
// Plain resources rather than AVM event-hub/namespace: its outputs read the namespace keys with listkeys().
param name string
param location string
param tags object = {}

// any(): the config is open-ended (optional properties, empty lists), so absent properties read as null via `.?`
// instead of failing the type check of the literal types loadJsonContent infers.
var config = any(loadJsonContent('../../emulator/config/eventhubs.json'))
var eventHubs = config.UserConfig.NamespaceConfig[0].?Entities ?? []
// `$Default` exists in every event hub; the others are created.
var consumerGroups = flatten(map(eventHubs, eventHub => map(
  filter(eventHub.?ConsumerGroups ?? [], group => group.Name != '$Default'),
  group => {
    eventHub: eventHub.Name
    name: group.Name
  }
)))

resource namespace 'Microsoft.EventHub/namespaces@2024-01-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
    capacity: 1
  }
  properties: {
    disableLocalAuth: true
    kafkaEnabled: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource eventHubResources 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' = [for eventHub in eventHubs: {
  parent: namespace
  name: eventHub.Name
  properties: {
    partitionCount: eventHub.PartitionCount
    // The emulator's extension RetentionTimeInHours (default 1 hour) maps onto the retention description.
    retentionDescription: {
      cleanupPolicy: 'Delete'
      retentionTimeInHours: eventHub.?RetentionTimeInHours ?? 1
    }
  }
}]

#disable-next-line use-parent-property
resource consumerGroupResources 'Microsoft.EventHub/namespaces/eventhubs/consumergroups@2024-01-01' = [for group in consumerGroups: {
  name: '${namespace.name}/${group.eventHub}/${group.name}'
  properties: {}
  dependsOn: [
    eventHubResources
  ]
}]

output name string = namespace.name
output resourceId string = namespace.id
// serviceBusEndpoint is https://<name>.servicebus.<cloud suffix>:443/; Kafka clients take <host>:9093.
output fullyQualifiedNamespace string = split(replace(namespace.properties.serviceBusEndpoint, 'https://', ''), ':')[0]
