// The Functions app on Flex Consumption (Linux, Node.js 22), running as the user-assigned identity. Every connection
// of the app's code is identity-based: `<connection>__fullyQualifiedNamespace` / `__topicEndpointUri` /
// `__tableServiceUri` with `__credential: managedidentity` and `__clientId`, the forms src/config.ts and the
// triggers read. The one exception is the analytics Kafka trigger, whose extension signs in only with a connection
// string: a Key Vault reference to a listen-only one, resolved with the same identity. No publishing credentials.
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
@description('The vault holding the analytics Kafka trigger\'s listen-only connection string (key-vault.bicep).')
param keyVaultName string
@description('The secret in that vault the postprovision hook writes.')
param analyticsKafkaSecretName string
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
  // The analytics Kafka trigger (functions/analytics.ts): brokers, and its SASL PLAIN password, an event-hub-scoped
  // listen-only connection string read from Key Vault with the managed identity (keyVaultReferenceIdentity below).
  // The app's own Kafka clients keep using EventHubsConnection's identity settings above.
  EventHubsBrokerList: '${eventHubsFullyQualifiedNamespace}:9093'
  AnalyticsKafkaConnection: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${analyticsKafkaSecretName})'
}

resource site 'Microsoft.Web/sites@2024-11-01' = {
  name: name
  location: location
  tags: union(tags, {
    'azd-service-name': 'api'
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: appServicePlanId
    httpsOnly: true
    clientAffinityEnabled: false
    publicNetworkAccess: 'Enabled'
    // Key Vault references in the app settings resolve with the user-assigned identity.
    keyVaultReferenceIdentity: identityId
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
        version: '22'
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
  }

  resource settings 'config' = {
    name: 'appsettings'
    properties: union(extraAppSettings, appSettings)
  }

  // azd deploys to the Flex deployment container with Entra ID; basic (FTP/SCM) publishing is not needed.
  resource ftpPublishing 'basicPublishingCredentialsPolicies' = {
    name: 'ftp'
    properties: {
      allow: false
    }
  }

  resource scmPublishing 'basicPublishingCredentialsPolicies' = {
    name: 'scm'
    properties: {
      allow: false
    }
  }
}

output name string = site.name
output resourceId string = site.id
output defaultHostname string = site.properties.defaultHostName
