// The event subscriptions of emulator/config/eventgrid.json on the deployed topics. A destination of endpoint type
// AzureFunction names a function of the local app in its resourceId (.../sites/<app>/functions/<function>); here
// it becomes the same function of the deployed app. Event Grid delivers to it through the Functions runtime, with
// no key or webhook URL in the template. Deployed after the app's code (see azure.yaml's postdeploy hook), because
// Event Grid checks that the function exists.
@description('The deployed topics: event-grid.bicep\'s topics output (configName, name).')
param topics array
param functionAppId string
@description('The deployed app\'s host name: a WebHook on the local app\'s address (functionApps in the config) goes to the same path on it.')
param functionAppHostName string

// any(): the config is open-ended (optional properties, empty lists), so absent properties read as null via `.?`
// instead of failing the type check of the literal types loadJsonContent infers.
var config = any(loadJsonContent('../../emulator/config/eventgrid.json'))
// The local addresses of the config's function apps (e.g. http://localhost:7071); a WebHook endpoint under one of
// them is an endpoint of this app (the simulated fan webhook), so it is re-pointed at the deployed app over HTTPS.
var localAppUrls = map(items(config.?functionApps ?? {}), app => app.value)
func deployedUrl(url string, localUrls array, hostName string) string =>
  reduce(localUrls, url, (current, local) => startsWith(current, local) ? 'https://${hostName}${substring(current, length(local))}' : current)

var subscriptions = flatten(map(config.?topics ?? [], topic => map(topic.?eventSubscriptions ?? [], subscription => {
  topic: filter(topics, deployed => deployed.configName == topic.name)[0].name
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
                endpointUrl: deployedUrl(subscription.properties.destination.properties.endpointUrl, localAppUrls, functionAppHostName)
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
