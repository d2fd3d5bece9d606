// Event Grid custom topics of emulator/config/eventgrid.json (ARM property names), with local (key and SAS) auth
// off: the app publishes with its managed identity (EventGrid Data Sender). Topic endpoints are regional host
// names, so each topic's name gets the environment's token. The event subscriptions come in a second phase
// (event-grid-subscriptions.bicep), once the functions they deliver to exist.
param location string
param tags object = {}
param resourceToken string

// any(): the config is open-ended (optional properties, empty lists), so absent properties read as null via `.?`
// instead of failing the type check of the literal types loadJsonContent infers.
var config = any(loadJsonContent('../../emulator/config/eventgrid.json'))
var topics = config.?topics ?? []

resource topicResources 'Microsoft.EventGrid/topics@2025-02-15' = [for topic in topics: {
  name: '${topic.name}-${resourceToken}'
  location: location
  tags: tags
  properties: {
    inputSchema: topic.?properties.?inputSchema ?? 'EventGridSchema'
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
  }
}]

output topics array = [for (topic, i) in topics: {
  configName: topic.name
  name: topicResources[i].name
  resourceId: topicResources[i].id
  endpoint: topicResources[i].properties.endpoint
}]
