// Service Bus Standard namespace with the queues, topics, subscriptions and rules of topology/servicebus.json
// (the official Service Bus emulator's Config.json), mapped property by property onto ARM.
// Every level (queue, topic, subscription, rule) is one looped resource, with local (SAS) auth off.
param name string
param location string
param tags object = {}
param logAnalyticsWorkspaceId string

// any(): the config is open-ended (optional properties, empty lists), so absent properties read as null via `.?`
// instead of failing the type check of the literal types loadJsonContent infers.
var config = any(loadJsonContent('../../topology/servicebus.json'))
var namespaceConfig = config.UserConfig.Namespaces[0]
var queues = namespaceConfig.?Queues ?? []
var topics = namespaceConfig.?Topics ?? []

var subscriptions = flatten(map(topics, topic => map(topic.?Subscriptions ?? [], subscription => {
  topic: topic.Name
  name: subscription.Name
  properties: subscription.?Properties ?? {}
  rules: subscription.?Rules ?? []
})))

// ARM gives every new subscription a `$Default` rule that accepts everything; the emulator has only the rules the
// config lists. Where the config lists rules, `$Default` is overwritten with a filter that accepts nothing, so a
// subscription receives exactly what its own rules accept, as it does locally.
var configuredRules = flatten(map(subscriptions, subscription => map(subscription.rules, rule => {
  topic: subscription.topic
  subscription: subscription.name
  name: rule.Name
  properties: rule.?Properties ?? {}
})))
var defaultRuleOverrides = map(
  filter(subscriptions, subscription => !empty(subscription.rules) && !contains(map(subscription.rules, rule => rule.Name), '$Default')),
  subscription => {
    topic: subscription.topic
    subscription: subscription.name
    name: '$Default'
    properties: {
      FilterType: 'Sql'
      SqlFilter: {
        SqlExpression: '1=0'
      }
    }
  }
)
var rules = concat(configuredRules, defaultRuleOverrides)

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource queueResources 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = [for queue in queues: {
  parent: namespace
  name: queue.Name
  properties: {
    lockDuration: queue.?Properties.?LockDuration ?? 'PT1M'
    maxDeliveryCount: queue.?Properties.?MaxDeliveryCount ?? 10
    requiresSession: queue.?Properties.?RequiresSession ?? false
    requiresDuplicateDetection: queue.?Properties.?RequiresDuplicateDetection ?? false
    duplicateDetectionHistoryTimeWindow: queue.?Properties.?DuplicateDetectionHistoryTimeWindow ?? 'PT10M'
    defaultMessageTimeToLive: queue.?Properties.?DefaultMessageTimeToLive ?? 'P14D'
    deadLetteringOnMessageExpiration: queue.?Properties.?DeadLetteringOnMessageExpiration ?? false
    forwardTo: empty(queue.?Properties.?ForwardTo ?? '') ? null : queue.Properties.ForwardTo
    forwardDeadLetteredMessagesTo: empty(queue.?Properties.?ForwardDeadLetteredMessagesTo ?? '') ? null : queue.Properties.ForwardDeadLetteredMessagesTo
  }
}]

resource topicResources 'Microsoft.ServiceBus/namespaces/topics@2024-01-01' = [for topic in topics: {
  parent: namespace
  name: topic.Name
  properties: {
    requiresDuplicateDetection: topic.?Properties.?RequiresDuplicateDetection ?? false
    duplicateDetectionHistoryTimeWindow: topic.?Properties.?DuplicateDetectionHistoryTimeWindow ?? 'PT10M'
    defaultMessageTimeToLive: topic.?Properties.?DefaultMessageTimeToLive ?? 'P14D'
  }
}]

// A child of a looped parent names its parent by index: the position of its topic (subscription) in the config.
var topicNames = map(topics, topic => topic.Name)
var subscriptionPaths = map(subscriptions, subscription => '${subscription.topic}/${subscription.name}')

resource subscriptionResources 'Microsoft.ServiceBus/namespaces/topics/subscriptions@2024-01-01' = [for subscription in subscriptions: {
  parent: topicResources[indexOf(topicNames, subscription.topic)]
  name: subscription.name
  properties: {
    lockDuration: subscription.properties.?LockDuration ?? 'PT1M'
    maxDeliveryCount: subscription.properties.?MaxDeliveryCount ?? 10
    requiresSession: subscription.properties.?RequiresSession ?? false
    defaultMessageTimeToLive: subscription.properties.?DefaultMessageTimeToLive ?? 'P14D'
    deadLetteringOnMessageExpiration: subscription.properties.?DeadLetteringOnMessageExpiration ?? false
    forwardTo: empty(subscription.properties.?ForwardTo ?? '') ? null : subscription.properties.ForwardTo
    forwardDeadLetteredMessagesTo: empty(subscription.properties.?ForwardDeadLetteredMessagesTo ?? '') ? null : subscription.properties.ForwardDeadLetteredMessagesTo
  }
}]

resource ruleResources 'Microsoft.ServiceBus/namespaces/topics/subscriptions/rules@2024-01-01' = [for rule in rules: {
  parent: subscriptionResources[indexOf(subscriptionPaths, '${rule.topic}/${rule.subscription}')]
  name: rule.name
  properties: {
    filterType: rule.properties.?FilterType == 'Correlation' ? 'CorrelationFilter' : 'SqlFilter'
    sqlFilter: rule.properties.?FilterType == 'Correlation'
      ? null
      : {
          sqlExpression: rule.properties.?SqlFilter.?SqlExpression ?? '1=1'
          compatibilityLevel: 20
        }
    correlationFilter: rule.properties.?FilterType == 'Correlation'
      ? {
          contentType: rule.properties.?CorrelationFilter.?ContentType
          correlationId: rule.properties.?CorrelationFilter.?CorrelationId
          label: rule.properties.?CorrelationFilter.?Label
          messageId: rule.properties.?CorrelationFilter.?MessageId
          replyTo: rule.properties.?CorrelationFilter.?ReplyTo
          replyToSessionId: rule.properties.?CorrelationFilter.?ReplyToSessionId
          sessionId: rule.properties.?CorrelationFilter.?SessionId
          to: rule.properties.?CorrelationFilter.?To
          properties: rule.properties.?CorrelationFilter.?Properties
        }
      : null
    action: empty(rule.properties.?Action.?SqlExpression ?? '')
      ? null
      : {
          sqlExpression: rule.properties.Action.SqlExpression
          compatibilityLevel: 20
        }
  }
}]

// Resource logs (operational, runtime audit of who sent and received with what) in the workspace.
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
output resourceId string = namespace.id
// serviceBusEndpoint is https://<name>.servicebus.<cloud suffix>:443/; the host name is what clients and triggers take.
output fullyQualifiedNamespace string = split(replace(namespace.properties.serviceBusEndpoint, 'https://', ''), ':')[0]
