// The whole Music Fest system on Azure, for `azd up`: one resource group with a Flex Consumption Functions app
// (Node.js 22) that reaches Service Bus, Event Hubs (Kafka endpoint), Event Grid and Table Storage with a
// user-assigned managed identity. No keys or connection strings in the template: local auth is off on every resource
// that has it, except Event Hubs, where the analytics Kafka trigger signs in with a listen-only policy whose key only
// the postprovision hook reads (into Key Vault; see app/event-hubs.bicep). Every module is local: it compiles offline.
// The messaging topology is not declared here: the modules load topology/*.json, the same files the local
// emulators run (one topology).
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; used to name the resource group and to derive unique resource names.')
param environmentName string

@minLength(1)
@description('Primary location for all resources (a region where Flex Consumption is available).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object id of the deploying user, given the same data roles as the app (to run tools against Azure). Empty: none.')
param principalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
])
@description('Principal type of principalId (ServicePrincipal when azd runs in CI).')
param principalType string = 'User'

@description('Create the Event Grid event subscriptions. They point at the app\'s functions, which exist only after the first deploy: the postdeploy hook sets this and provisions again.')
param eventGridSubscriptionsEnabled bool = false

@description('Extra plain app settings (Purchase__reservationTimeout, Payment__declineOverCents, ...); unset ones keep their defaults from src/config.ts.')
param extraAppSettings object = {}

@description('The Event Grid topic of topology/eventgrid.json the app publishes to (src/config.ts topology.eventGridTopic).')
param eventGridTopicName string = 'musicfest-events'

@description('Flex Consumption instance memory, MB (512, 2048 or 4096).')
param instanceMemoryMB int = 2048

@description('Flex Consumption maximum instance count (scale-out limit).')
param maximumInstanceCount int = 40

// The Key Vault secret the postprovision hook fills with the analytics trigger's listen-only connection string.
var analyticsKafkaSecretName = 'analytics-kafka-connection'
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var functionAppName = 'func-${resourceToken}'
// Flex Consumption deploys the app package from this blob container, read with the managed identity.
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}-${take(resourceToken, 7)}'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'app/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-func-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
  }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    location: location
    tags: tags
    name: 'st${resourceToken}'
    deploymentContainerName: deploymentContainerName
  }
}

module serviceBus 'app/service-bus.bicep' = {
  name: 'service-bus'
  scope: rg
  params: {
    location: location
    tags: tags
    name: 'sb-${resourceToken}'
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
  }
}

module eventHubs 'app/event-hubs.bicep' = {
  name: 'event-hubs'
  scope: rg
  params: {
    location: location
    tags: tags
    name: 'evhns-${resourceToken}'
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
  }
}

module eventGrid 'app/event-grid.bicep' = {
  name: 'event-grid'
  scope: rg
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
  }
}

module appServicePlan 'app/app-service-plan.bicep' = {
  name: 'app-service-plan'
  scope: rg
  params: {
    name: 'plan-${resourceToken}'
    location: location
    tags: tags
  }
}

module keyVault 'app/key-vault.bicep' = {
  name: 'key-vault'
  scope: rg
  params: {
    name: 'kv-${resourceToken}'
    location: location
    tags: tags
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
  }
}

var eventGridTopic = filter(eventGrid.outputs.topics, topic => topic.configName == eventGridTopicName)[0]

module functionApp 'app/function-app.bicep' = {
  name: 'function-app'
  scope: rg
  params: {
    name: functionAppName
    location: location
    tags: tags
    appServicePlanId: appServicePlan.outputs.resourceId
    identityId: identity.outputs.resourceId
    identityClientId: identity.outputs.clientId
    deploymentContainerUrl: '${storage.outputs.blobEndpoint}${deploymentContainerName}'
    hostStorageBlobEndpoint: storage.outputs.blobEndpoint
    ticketingTableEndpoint: storage.outputs.tableEndpoint
    serviceBusFullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
    eventHubsFullyQualifiedNamespace: eventHubs.outputs.fullyQualifiedNamespace
    eventGridTopicEndpoint: eventGridTopic.endpoint
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    keyVaultName: keyVault.outputs.name
    analyticsKafkaSecretName: analyticsKafkaSecretName
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    extraAppSettings: extraAppSettings
  }
}

module appRoles 'app/rbac.bicep' = {
  name: 'rbac-app'
  scope: rg
  params: {
    principalId: identity.outputs.principalId
    principalType: 'ServicePrincipal'
    storageAccountName: storage.outputs.name
    serviceBusNamespaceName: serviceBus.outputs.name
    eventHubsNamespaceName: eventHubs.outputs.name
    eventGridTopicName: eventGridTopic.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    keyVaultName: keyVault.outputs.name
  }
}

module userRoles 'app/rbac.bicep' = if (!empty(principalId)) {
  name: 'rbac-user'
  scope: rg
  params: {
    principalId: principalId
    principalType: principalType
    storageAccountName: storage.outputs.name
    serviceBusNamespaceName: serviceBus.outputs.name
    eventHubsNamespaceName: eventHubs.outputs.name
    eventGridTopicName: eventGridTopic.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    keyVaultName: keyVault.outputs.name
    writesSecrets: true
  }
}

module eventGridSubscriptions 'app/event-grid-subscriptions.bicep' = if (eventGridSubscriptionsEnabled) {
  name: 'event-grid-subscriptions'
  scope: rg
  params: {
    topics: eventGrid.outputs.topics
    functionAppId: functionApp.outputs.resourceId
    functionAppHostName: functionApp.outputs.defaultHostname
  }
}

// azd writes these into the environment (.azure/<env>/.env); none is a secret.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_CLIENT_ID string = identity.outputs.clientId
output SERVICE_API_NAME string = functionApp.outputs.name
output SERVICE_API_URI string = 'https://${functionApp.outputs.defaultHostname}'
output SERVICE_BUS_FULLY_QUALIFIED_NAMESPACE string = serviceBus.outputs.fullyQualifiedNamespace
output EVENT_HUBS_FULLY_QUALIFIED_NAMESPACE string = eventHubs.outputs.fullyQualifiedNamespace
output EVENT_GRID_TOPIC_ENDPOINT string = eventGridTopic.endpoint
output STORAGE_TABLE_ENDPOINT string = storage.outputs.tableEndpoint
// For the postprovision hook, which copies the listen-only key into Key Vault (names only, never the key).
output EVENT_HUBS_NAMESPACE_NAME string = eventHubs.outputs.name
output ANALYTICS_EVENT_HUB_NAME string = eventHubs.outputs.analyticsEventHubName
output ANALYTICS_LISTEN_RULE_NAME string = eventHubs.outputs.analyticsListenRuleName
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output ANALYTICS_KAFKA_SECRET_NAME string = analyticsKafkaSecretName
