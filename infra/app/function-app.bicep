// The Functions app on Flex Consumption (Linux, Node 20), running as the user-assigned identity. Every connection
// is identity-based: `<connection>__fullyQualifiedNamespace` / `__topicEndpointUri` / `__tableServiceUri` with
// `__credential: managedidentity` and `__clientId`, the forms src/config.ts and the triggers read. No keys, no
// connection strings, no publishing credentials.
param name string
param location string
param tags object = {}
param appServicePlanId string
param identityId string
param identityClientId string
param deploymentContainerUrl string
param hostStorageBlobEndpoint string
param ticketingTableEndpoint string
param serviceBusFullyQualifiedNamespace string
param eventHubsFullyQualifiedNamespace string
param eventGridTopicEndpoint string
param applicationInsightsName string
param instanceMemoryMB int = 2048
param maximumInstanceCount int = 40
@description('Plain settings added to (or overriding nothing of) the identity settings below.')
param extraAppSettings object = {}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// test/infra/wiring.test.ts reads this object: every setting the code reads must be here (or have a default).
var appSettings = {
  // The Functions host's own storage (timer leases; the deployment package is read through functionAppConfig).
  AzureWebJobsStorage__blobServiceUri: hostStorageBlobEndpoint
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  // Telemetry with Entra ID: the instrumentation key in the connection string cannot ingest on its own.
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  // Service Bus: the topic triggers (connection "ServiceBusConnection") and the app's own sender/receiver.
  ServiceBusConnection__fullyQualifiedNamespace: serviceBusFullyQualifiedNamespace
  ServiceBusConnection__credential: 'managedidentity'
  ServiceBusConnection__clientId: identityClientId
  // Event Grid: the outbox relay publishes the notify events to the custom topic.
  MusicFestEvents__topicEndpointUri: eventGridTopicEndpoint
  MusicFestEvents__credential: 'managedidentity'
  MusicFestEvents__clientId: identityClientId
  // Table Storage: event store, outbox, inbox, payments, mails, read models.
  TicketingStorage__tableServiceUri: ticketingTableEndpoint
  TicketingStorage__credential: 'managedidentity'
  TicketingStorage__clientId: identityClientId
  // Event Hubs' Kafka endpoint (<namespace>:9093, SASL OAUTHBEARER with an Entra token).
  EventHubsConnection__fullyQualifiedNamespace: eventHubsFullyQualifiedNamespace
  EventHubsConnection__credential: 'managedidentity'
  EventHubsConnection__clientId: identityClientId
  // The Kafka trigger's brokers (functions/analytics.ts). Its extension signs in to Event Hubs only with SASL PLAIN,
  // i.e. a connection string, which this deployment never creates (no secrets): the trigger is disabled in Azure,
  // where the analytics read model is kept by the kafkajs consumer with an Entra token (src/analytics/).
  EventHubsBrokerList: '${eventHubsFullyQualifiedNamespace}:9093'
  'AzureWebJobs.analytics.Disabled': 'true'
}

module site 'br/public:avm/res/web/site:0.24.0' = {
  name: 'function-app-site'
  params: {
    name: name
    location: location
    tags: union(tags, {
      'azd-service-name': 'api'
    })
    kind: 'functionapp,linux'
    serverFarmResourceId: appServicePlanId
    httpsOnly: true
    managedIdentities: {
      userAssignedResourceIds: [
        identityId
      ]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'node'
        version: '20'
      }
    }
    siteConfig: {
      alwaysOn: false
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
    // azd deploys to the Flex deployment container with Entra ID; basic (FTP/SCM) publishing is not needed.
    basicPublishingCredentialsPolicies: [
      {
        name: 'ftp'
        allow: false
      }
      {
        name: 'scm'
        allow: false
      }
    ]
    configs: [
      {
        name: 'appsettings'
        retainCurrentAppSettings: false
        properties: union(extraAppSettings, appSettings)
      }
    ]
  }
}

output name string = site.outputs.name
output resourceId string = site.outputs.resourceId
output defaultHostname string = site.outputs.defaultHostname
