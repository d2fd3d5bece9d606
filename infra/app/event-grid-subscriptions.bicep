// The event subscriptions of topology/eventgrid.json on the deployed topics. A destination of endpoint type
// AzureFunction names a function of the local app in its resourceId (.../sites/<app>/functions/<function>); here
// it becomes the same function of the deployed app. Event Grid delivers to it through the Functions runtime, with
// no key or webhook URL in the template. Deployed after the app's code (see azure.yaml's postdeploy hook), because
// Event Grid checks that the function exists.
@description('The deployed topics: event-grid.bicep\'s topics output (configName, name).')
param topics array
param functionAppId string
@description('The deployed app\'s host name: a WebHook on the local app\'s address (functionApps in the config) goes to the same path on it.')
param functionAppHostName string

// Only the fields infra needs are loaded (JSONPath): the file also holds each topic's local key for the emulator,
// which must not end up in the compiled template. Every topic declares `eventSubscriptions` (possibly empty; test/
// infra/topology.test.ts checks it), so names and subscription lists line up by index. any(): subscriptions are
// open-ended (optional properties), so absent ones read as null via `.?` instead of failing the literal type check.
var configFile = '../../topology/eventgrid.json'
var loadedTopicNames = any(loadJsonContent(configFile, '$.topics[*].name'))
var loadedSubscriptionLists = any(loadJsonContent(configFile, '$.topics[*].eventSubscriptions'))
// A JSONPath that matches once yields the match itself rather than a list of one: wrap it back into a list.
var topicNames = startsWith(string(loadedTopicNames), '[') ? loadedTopicNames : [loadedTopicNames]
var subscriptionLists = length(topicNames) == 1 ? [loadedSubscriptionLists] : loadedSubscriptionLists
// The local addresses of the config's function apps (e.g. http://localhost:7071); a WebHook endpoint under one of
// them is an endpoint of this app (the simulated fan webhook), so it is re-pointed at the deployed app over HTTPS.
var localAppUrls = map(items(loadJsonContent(configFile, '$.functionApps')), app => app.value)

var subscriptions = flatten(map(range(0, length(topicNames)), i => map(subscriptionLists[i], subscription => {
  topic: filter(topics, deployed => deployed.configName == topicNames[i])[0].name
  name: subscription.name
  properties: subscription.properties
})))

resource subscriptionResources 'Microsoft.EventGrid/topics/eventSubscriptions@2025-02-15' = [for subscription in subscriptions: {
  name: '${subscription.topic}/${subscription.name}'
  properties: {
    destination: subscription.properties.destination.endpointType == 'AzureFunction'
      ? {
          endpointType: 'AzureFunction'
          properties: {
            resourceId: '${functionAppId}/functions/${last(split(subscription.properties.destination.properties.resourceId, '/'))}'
            maxEventsPerBatch: subscription.properties.destination.properties.?maxEventsPerBatch ?? 1
            preferredBatchSizeInKilobytes: subscription.properties.destination.properties.?preferredBatchSizeInKilobytes ?? 64
          }
        }
      : subscription.properties.destination.endpointType == 'WebHook'
          ? {
              endpointType: 'WebHook'
              properties: union(subscription.properties.destination.properties, {
                // Inline rather than a user-defined function: ARM evaluates a lambda inside a function without the
                // function's parameters in scope ("The template parameter 'hostName' is not found").
                endpointUrl: reduce(
                  localAppUrls,
                  subscription.properties.destination.properties.endpointUrl,
                  (current, local) =>
                    startsWith(current, local)
                      ? 'https://${functionAppHostName}${substring(current, length(local))}'
                      : current
                )
              })
            }
          : subscription.properties.destination
    filter: subscription.properties.?filter ?? {}
    eventDeliverySchema: subscription.properties.?eventDeliverySchema ?? 'CloudEventSchemaV1_0'
    retryPolicy: subscription.properties.?retryPolicy ?? {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
    labels: subscription.properties.?labels
  }
}]

output names array = [for subscription in subscriptions: '${subscription.topic}/${subscription.name}']
