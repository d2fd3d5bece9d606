// Event Hubs Standard namespace (Standard and above serve the Kafka endpoint on port 9093) with the event hubs and
// consumer groups of topology/eventhubs.json (the official Event Hubs emulator's Config.json).
// Local auth is ON here, the one documented exception to "no keys": the Functions Kafka extension signs in to Event
// Hubs only with SASL PLAIN and a connection string, so the analytics trigger gets a listen-only policy on its one
// event hub (analyticsListenRule). The template never reads its key (no listKeys()): the postprovision hook copies
// it into Key Vault. The app's own Kafka clients and every other connection still use Entra ID.
param name string
param location string
param tags object = {}
param logAnalyticsWorkspaceId string
@description('The event hub the analytics Kafka trigger reads (src/config.ts topology.eventHub).')
param analyticsEventHubName string = 'festival-events'
@description('The listen-only shared access policy on that event hub, for the analytics Kafka trigger.')
param analyticsListenRuleName string = 'analytics-listen'

// any(): the config is open-ended (optional properties, empty lists), so absent properties read as null via `.?`
// instead of failing the type check of the literal types loadJsonContent infers.
var config = any(loadJsonContent('../../topology/eventhubs.json'))
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
    // SAS for the analytics trigger's listen-only policy (see the header); everything else signs in with Entra ID.
    disableLocalAuth: false
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

var eventHubNames = map(eventHubs, eventHub => eventHub.Name)

resource consumerGroupResources 'Microsoft.EventHub/namespaces/eventhubs/consumergroups@2024-01-01' = [for group in consumerGroups: {
  parent: eventHubResources[indexOf(eventHubNames, group.eventHub)]
  name: group.name
  properties: {}
}]

resource analyticsEventHub 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' existing = {
  parent: namespace
  name: analyticsEventHubName
}

// Listen only, on the one event hub: the trigger reads festival-events as consumer group `analytics`, nothing more.
resource analyticsListenRule 'Microsoft.EventHub/namespaces/eventhubs/authorizationRules@2024-01-01' = {
  parent: analyticsEventHub
  name: analyticsListenRuleName
  properties: {
    rights: [
      'Listen'
    ]
  }
  dependsOn: [
    eventHubResources
  ]
}

// Resource logs (Kafka user errors, runtime audit of who connected with what) in the workspace.
resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: namespace
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
  }
}

output name string = namespace.name
output analyticsEventHubName string = analyticsEventHubName
output analyticsListenRuleName string = analyticsListenRule.name
output resourceId string = namespace.id
// serviceBusEndpoint is https://<name>.servicebus.<cloud suffix>:443/; Kafka clients take <host>:9093.
output fullyQualifiedNamespace string = split(replace(namespace.properties.serviceBusEndpoint, 'https://', ''), ':')[0]
