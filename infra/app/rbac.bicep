// Least-privilege data roles for one principal (the app's managed identity, or the deploying user): what each
// connection does, nothing more. test/infra/wiring.test.ts maps every connection the code reads to these.
param principalId string
@allowed([
  'User'
  'ServicePrincipal'
])
param principalType string
param storageAccountName string
param serviceBusNamespaceName string
param eventHubsNamespaceName string
param eventGridTopicName string
param applicationInsightsName string
param keyVaultName string
@description('Key Vault Secrets Officer instead of Secrets User: the deploying user, whose hook writes the secret.')
param writesSecrets bool = false

// Built-in role definition ids (the same in every tenant; test/infra/azure-built-in-roles.ts names them).
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
  serviceBusDataReceiver: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
  eventHubsDataSender: '2b629674-e913-4c01-ae53-ef4638d8f975'
  eventHubsDataReceiver: 'a638d3c7-ab3a-418d-83e6-5f17a39d4fde'
  eventGridDataSender: 'd5a91429-5739-47e2-a06b-3470a27159e7'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
}

resource storageAccount 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: storageAccountName
}

resource serviceBusNamespace 'Microsoft.ServiceBus/namespaces@2024-01-01' existing = {
  name: serviceBusNamespaceName
}

resource eventHubsNamespace 'Microsoft.EventHub/namespaces@2024-01-01' existing = {
  name: eventHubsNamespaceName
}

resource eventGridTopic 'Microsoft.EventGrid/topics@2025-02-15' existing = {
  name: eventGridTopicName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource keyVault 'Microsoft.KeyVault/vaults@2024-11-01' existing = {
  name: keyVaultName
}

// AzureWebJobsStorage (Flex deployment container, timer leases): blob; TicketingStorage: tables.
resource storageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in [
  roles.storageBlobDataOwner
  roles.storageTableDataContributor
]: {
  name: guid(storageAccount.id, principalId, roleId)
  scope: storageAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    principalId: principalId
    principalType: principalType
  }
}]

// ServiceBusConnection: the relay sends commands and events; triggers and the dead-letter tools receive.
resource serviceBusRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in [
  roles.serviceBusDataSender
  roles.serviceBusDataReceiver
]: {
  name: guid(serviceBusNamespace.id, principalId, roleId)
  scope: serviceBusNamespace
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    principalId: principalId
    principalType: principalType
  }
}]

// EventHubsConnection: the relay produces to the Kafka endpoint; Kafka consumers read.
resource eventHubsRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in [
  roles.eventHubsDataSender
  roles.eventHubsDataReceiver
]: {
  name: guid(eventHubsNamespace.id, principalId, roleId)
  scope: eventHubsNamespace
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    principalId: principalId
    principalType: principalType
  }
}]

// MusicFestEvents: publishing to the custom topic.
resource eventGridRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in [
  roles.eventGridDataSender
]: {
  name: guid(eventGridTopic.id, principalId, roleId)
  scope: eventGridTopic
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    principalId: principalId
    principalType: principalType
  }
}]

// APPLICATIONINSIGHTS_AUTHENTICATION_STRING: telemetry with Entra ID (local auth is off).
resource monitoringRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in [
  roles.monitoringMetricsPublisher
]: {
  name: guid(applicationInsights.id, principalId, roleId)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    principalId: principalId
    principalType: principalType
  }
}]

// AnalyticsKafkaConnection: the app reads the trigger's secret (Key Vault reference); the deploying user writes it.
resource keyVaultRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in [
  writesSecrets ? roles.keyVaultSecretsOfficer : roles.keyVaultSecretsUser
]: {
  name: guid(keyVault.id, principalId, roleId)
  scope: keyVault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    principalId: principalId
    principalType: principalType
  }
}]
