// Event Grid custom topics of topology/eventgrid.json (ARM property names), with local (key and SAS) auth
// off: the app publishes with its managed identity (EventGrid Data Sender). Topic endpoints are regional host
// names, so each topic's name gets the environment's token. The event subscriptions come in a second phase
// (event-grid-subscriptions.bicep), once the functions they deliver to exist.
param location string
param tags object = {}
param resourceToken string

// Only the fields infra needs are loaded (JSONPath): the file also holds each topic's local key for the emulator,
// which must not end up in the compiled template. Every topic in the file declares `properties.inputSchema`
// (test/infra/topology.test.ts checks it), so the two lists line up by index.
var configFile = '../../topology/eventgrid.json'
var loadedTopicNames = any(loadJsonContent(configFile, '$.topics[*].name'))
var loadedInputSchemas = any(loadJsonContent(configFile, '$.topics[*].properties.inputSchema'))
// A JSONPath that matches once yields the match itself rather than a list of one: wrap it back into a list.
var topicNames = startsWith(string(loadedTopicNames), '[') ? loadedTopicNames : [loadedTopicNames]
var inputSchemas = length(topicNames) == 1 ? [loadedInputSchemas] : loadedInputSchemas
var topics = map(range(0, length(topicNames)), i => {
  name: topicNames[i]
  inputSchema: inputSchemas[i]
})

resource topicResources 'Microsoft.EventGrid/topics@2025-02-15' = [for topic in topics: {
  name: '${topic.name}-${resourceToken}'
  location: location
  tags: tags
  properties: {
    inputSchema: topic.inputSchema
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
